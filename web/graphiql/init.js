// Starts GraphiQL against claimgraph's GraphQL endpoint. Kept out of
// index.html so that the page runs under a Content-Security-Policy without
// 'unsafe-inline' scripts.
(function () {
  "use strict";
  // The page is served at /graphql (a browser GET) or under /graphiql/; in
  // both cases the endpoint is the sibling "graphql" of the site root the
  // page was served from, so the UI also works behind a path prefix.
  var path = window.location.pathname;
  var endpoint = /\/graphql\/?$/.test(path)
    ? path.replace(/\/$/, "")
    : new URL("../graphql", new URL(path.replace(/\/?$/, "/"), window.location.origin)).pathname;

  var defaultQuery = [
    "# claimgraph: who said what, where, through which sources.",
    "# Run with the button or Ctrl-Enter; the book icon on the",
    "# left opens the documentation of every type and field.",
    "",
    "{",
    "  whoSaid(text: \"crime is way down\", first: 5) {",
    "    totalCount",
    "    edges {",
    "      node {",
    "        id",
    "        text",
    "        speaker { name }",
    "        source { title }",
    "      }",
    "    }",
    "  }",
    "}",
    ""
  ].join("\n");

  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    })
  );
})();
