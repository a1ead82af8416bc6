package export

import (
	"context"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// parquetBatch is the number of rows handed to the Parquet writer at once.
const parquetBatch = 256

// writeParquet writes the table as one Parquet file: the row type's schema
// (strings as UTF-8 byte arrays, optional where the CSV may be empty; lists
// as LIST; maps as MAP; span offsets INT64; value DOUBLE; flags BOOLEAN),
// every column compressed with zstd, row groups of at most
// Options.RowGroupRows rows, the snapshot time and the table's description
// in the key-value metadata.
func (rt *rowTable[T]) writeParquet(ctx context.Context, wk *walker, w io.Writer) error {
	pw := parquet.NewGenericWriter[T](w,
		parquet.Compression(&zstd.Codec{Level: zstd.DefaultLevel}),
		parquet.MaxRowsPerRowGroup(int64(wk.cfg.RowGroupRows)),
		parquet.CreatedBy("claimgraph", "", ""),
		parquet.KeyValueMetadata("claimgraph.snapshot", wk.cfg.asOf),
		parquet.KeyValueMetadata("claimgraph.table", rt.t.name),
		parquet.KeyValueMetadata("claimgraph.description", rt.t.desc),
	)
	batch := make([]T, 0, parquetBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := pw.Write(batch); err != nil {
			return fmt.Errorf("parquet %s: %w", rt.t.name, err)
		}
		clear(batch)
		batch = batch[:0]
		return nil
	}
	err := rt.each(ctx, wk, func(row T) error {
		batch = append(batch, row)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet %s: %w", rt.t.name, err)
	}
	return nil
}
