package export

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"claimgraph/graph"
)

// sink receives the files of a directory format one at a time.
type sink interface {
	// create starts the file with the name; the previous file is complete.
	create(name string) (io.Writer, error)
	// finish completes the last file.
	finish() error
}

// fileInfo is what the notebook's datapackage.json says of a file.
type fileInfo struct {
	name  string
	bytes int64
	hash  string // "sha256:<hex>"
}

// tracked wraps a sink to count and hash every file.
type tracked struct {
	sink
	files []*fileInfo
	cur   *hashingWriter
}

type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (t *tracked) closeCur() {
	if t.cur != nil {
		fi := t.files[len(t.files)-1]
		fi.bytes = t.cur.n
		fi.hash = "sha256:" + hex.EncodeToString(t.cur.h.Sum(nil))
		t.cur = nil
	}
}

func (t *tracked) create(name string) (io.Writer, error) {
	t.closeCur()
	w, err := t.sink.create(name)
	if err != nil {
		return nil, err
	}
	t.cur = &hashingWriter{w: w, h: sha256.New()}
	t.files = append(t.files, &fileInfo{name: name})
	return t.cur, nil
}

func (t *tracked) finish() error {
	t.closeCur()
	return t.sink.finish()
}

// WriteDir exports the graph that r reads in a directory format (csv,
// parquet, notebook) into dir, which is created if it does not exist and
// must be empty if it does. Files are written one at a time, each in one
// streaming pass over the graph. On error the files written so far are
// removed (and dir, if WriteDir created it).
func WriteDir(ctx context.Context, r graph.Reader, opt Options, dir string) (err error) {
	c, err := newConfig(opt)
	if err != nil {
		return err
	}
	if !c.Format.IsDir() {
		return fmt.Errorf("export %s: %w", c.Format, ErrNotDirFormat)
	}
	created := false
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("export %s: %w", c.Format, err)
		}
		created = true
	case err != nil:
		return fmt.Errorf("export %s: %w", c.Format, err)
	case len(entries) > 0:
		return fmt.Errorf("export %s: %s: %w", c.Format, dir, ErrDirNotEmpty)
	}
	ds := &dirSink{dir: dir}
	defer func() {
		if err != nil {
			ds.remove(created)
		}
	}()
	wk, err := newWalker(ctx, r, c)
	if err != nil {
		return err
	}
	if err := writeFiles(ctx, wk, ds); err != nil {
		return fmt.Errorf("export %s: %w", c.Format, err)
	}
	return nil
}

// WriteArchive exports the graph that r reads in a directory format as one
// zip stream to w (for HTTP), the files under a folder named
// "claimgraph-<format>/", modified at the snapshot time. Entries are
// streamed (sizes in data descriptors), so memory stays bounded; CSV,
// JSON and Markdown are deflated, Parquet (already compressed) is stored.
func WriteArchive(ctx context.Context, r graph.Reader, opt Options, w io.Writer) error {
	c, err := newConfig(opt)
	if err != nil {
		return err
	}
	if !c.Format.IsDir() {
		return fmt.Errorf("export %s: %w", c.Format, ErrNotDirFormat)
	}
	wk, err := newWalker(ctx, r, c)
	if err != nil {
		return err
	}
	ew := &errWriter{w: w}
	wk.sinkErr = func() error { return ew.err }
	bw := bufio.NewWriterSize(ew, 64<<10)
	zs := &zipSink{zw: zip.NewWriter(bw), folder: "claimgraph-" + string(c.Format) + "/", mod: c.snapshot}
	if err := writeFiles(ctx, wk, zs); err != nil {
		return fmt.Errorf("export %s: %w", c.Format, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export %s: %w", c.Format, err)
	}
	return nil
}

// writeFiles writes the files of the walker's format to s.
func writeFiles(ctx context.Context, wk *walker, s sink) error {
	specs := tables()
	csvs := wk.cfg.Format == CSV || wk.cfg.Format == Notebook
	parquets := wk.cfg.Format == Parquet || wk.cfg.Format == Notebook
	// Each format reads every node three times: once across the kind
	// tables, once for nodes, once for edges.
	if csvs {
		wk.addPasses(3)
	}
	if parquets {
		wk.addPasses(3)
	}
	ts := &tracked{sink: s}
	rows := map[string]int{}
	for _, sp := range specs {
		t := sp.meta()
		if csvs {
			w, err := ts.create(t.name + ".csv")
			if err != nil {
				return err
			}
			n := 0
			counted := &rowCounter{tableSpec: sp, n: &n}
			if err := writeCSV(ctx, wk, counted, w); err != nil {
				return fmt.Errorf("%s.csv: %w", t.name, err)
			}
			rows[t.name] = n
		}
		if parquets {
			w, err := ts.create(t.name + ".parquet")
			if err != nil {
				return err
			}
			if err := sp.writeParquet(ctx, wk, w); err != nil {
				return fmt.Errorf("%s.parquet: %w", t.name, err)
			}
		}
	}
	if wk.cfg.Format == Notebook {
		w, err := ts.create(readmeName)
		if err != nil {
			return err
		}
		if err := writeReadme(ctx, wk, specs, rows, w); err != nil {
			return fmt.Errorf("%s: %w", readmeName, err)
		}
		ts.closeCur()
		files := ts.files
		w, err = ts.create(datapackageName)
		if err != nil {
			return err
		}
		if err := writeDatapackage(wk, specs, files, rows, w); err != nil {
			return fmt.Errorf("%s: %w", datapackageName, err)
		}
	}
	return ts.finish()
}

// rowCounter counts the rows of a table as they are written.
type rowCounter struct {
	tableSpec
	n *int
}

func (rc *rowCounter) eachRow(ctx context.Context, wk *walker, put func(any) error) error {
	return rc.tableSpec.eachRow(ctx, wk, func(row any) error {
		*rc.n++
		return put(row)
	})
}

// dirSink writes files into a directory.
type dirSink struct {
	dir   string
	f     *os.File
	bw    *bufio.Writer
	names []string
}

func (d *dirSink) closeFile() error {
	if d.f == nil {
		return nil
	}
	err := d.bw.Flush()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	d.f, d.bw = nil, nil
	return err
}

func (d *dirSink) create(name string) (io.Writer, error) {
	if err := d.closeFile(); err != nil {
		return nil, err
	}
	p := filepath.Join(d.dir, name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	d.names = append(d.names, p)
	d.f, d.bw = f, bufio.NewWriterSize(f, 64<<10)
	return d.bw, nil
}

func (d *dirSink) finish() error { return d.closeFile() }

// remove deletes what the sink wrote, and the directory if the export
// created it.
func (d *dirSink) remove(dirToo bool) {
	if d.f != nil {
		d.f.Close()
		d.f = nil
	}
	for _, p := range d.names {
		os.Remove(p)
	}
	if dirToo {
		os.Remove(d.dir)
	}
}

// zipSink writes files as entries of a zip stream.
type zipSink struct {
	zw     *zip.Writer
	folder string
	mod    time.Time
}

func (z *zipSink) create(name string) (io.Writer, error) {
	method := zip.Deflate
	if strings.HasSuffix(name, ".parquet") {
		method = zip.Store
	}
	return z.zw.CreateHeader(&zip.FileHeader{Name: z.folder + name, Method: method, Modified: z.mod})
}

func (z *zipSink) finish() error { return z.zw.Close() }
