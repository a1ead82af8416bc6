// Package extract turns an English news article into a draft bundle: the
// article as a source, its people and organisations, its quotations and
// reported speech with their speakers, and its figures, every one anchored
// to its exact place in the text. It is pure and deterministic (text in,
// *graph.Bundle out, no I/O, no models: rules in Go) and depends only on
// package graph, the standard library and golang.org/x/net/html.
//
// # Entry points
//
// [Extract] reads plain text; [ExtractHTML] reads an HTML page with a real
// HTML parser ([ReadHTML]) and extracts from the text it keeps; [Resolve]
// matches the draft's people and organisations to nodes already stored,
// so that an ingest never creates a second Donald Trump.
//
// # Spans
//
// A span is a range of Unicode code points [start, end) of the stored text
// (Go: indexes into []rune(text)), as everywhere in claimgraph. A quotation's
// span covers the words between its marks: the marks are left out, and so
// is a comma, full stop, colon or semicolon that closes the quoted words
// inside the marks ("It was a very good call," -> It was a very good call).
// Reported speech without marks (indirect quotes) spans its content: from
// the first word after "said that" or "according to X," to the end of the
// clause. A figure's span covers the number with its approximation words,
// currency and unit and, when the text says it, what is counted ("about
// 2,000 trees", "76% drop in shootings"). Invalid UTF-8 is replaced by
// U+FFFD before anything else, so the stored text is what the spans index.
//
// # Quotations
//
// Straight and curly double and single marks, guillemets and low-high
// marks are paired by their context (a mark after a space opens, a mark
// before a space or punctuation closes), so mixed pairs work; an
// apostrophe inside or at the end of a word (don’t, governors’) is not a
// mark. A paragraph left open continues when the next paragraph opens with
// a mark: each paragraph is its own quote with the same speaker. Titles of
// works (quoted title case), words used as words ("the word “quiet”",
// so-called) and scare quotes are not quotes unless a cue attributes them.
// Modes: direct (a whole utterance set off by marks), partial (quoted words
// inside the reporter's sentence), indirect (reported speech without marks).
// When reported speech holds quoted words, the quoted words are the quote;
// a long stretch of unquoted report before them is an indirect quote too.
//
// # Speakers
//
// A cue is a reporting verb (said, told, added, posted, wrote, claimed,
// warned, called on ... to, and about a hundred more) with its subject
// before it ("Smith said", "Smith, a spokesman for the ministry, said") or
// after it ("said Smith"), "according to X", a colon after a name ("Smith:
// “...”"), or a headline's closing dash ("... – Trump"). Titles and roles
// before names are kept as the person's description ("Minnesota Governor
// Tim Walz"); surname-only and title-plus-surname mentions are tied to the
// full name; acronyms in brackets become aliases ("(ICE)"); pronouns go to
// the last compatible speaker or subject; common nouns go to the entity
// they stand for ("the ministry", "the company", "the union" after "the
// pilots' union, Aviators United"); documents speak for their authors ("the
// letter says", after "a letter sent by 14 directors"); quotations with no
// cue take the speaker of the quotations around them, of the paragraph
// they continue, or of the person the paragraph before introduced.
//
// Nested attribution becomes reported_by and channel: in “Governor Walz
// called me with the request to ...,” Trump posted on Truth Social, Trump's
// quote has the post as its channel (a social_post source published by the
// Truth Social organisation) and Walz's request is an indirect quote
// reported by Trump's, with the call as its channel. Statements,
// interviews, press releases, letters and reports found in a cue's frame
// become channel sources too, and the article derives from each of them.
//
// # Figures
//
// Digits with grouping and decimals, number words (two hundred, a dozen,
// 1.5 million, half a million, hundreds of), fractions (half of, one in
// five), percent forms (%, per cent, percentage points), currency ($, £, €,
// US$, dollars, 3bn), ages (37-year-old, "Smith, 71,"), durations as
// adjectives (a 16-day strike), ranges (8–10, ten to 32, between 5 and 10),
// approximations (at least, almost, more than, some, roughly) and changes
// with their measure, period and baseline ("a 76% drop in shootings ...
// compared to January 2025"). Dates, years, clock times, versions,
// identifiers (Flight 370, F-35), ordinals, scores, page numbers and points
// in time ("two days later", "in two years") are not figures. A figure
// inside a quotation, or in the sentence of one with no other source
// between, is stated by its speaker.
//
// # Evaluation
//
// The fixtures in testdata/fixtures are articles written for the purpose
// with hand-checked gold; package eval scores them, and the example article
// with gold from the demo bundle (go run ./extract/cmd/eval -v). The test
// in package eval asserts the quality targets.
package extract
