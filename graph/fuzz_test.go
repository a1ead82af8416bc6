package graph

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is a *ValidationError with problems (the input is in memory, so no read
// fails), that Validate and Prepare never panic on what it returns, and
// that every bundle it accepts round-trips through Encode and EncodeJSONL
// to the same value and the same bytes.
func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases() {
		f.Add([]byte(tc.in), tc.opt.AllowUnknown)
	}
	for _, tc := range validateCases() {
		f.Add([]byte(validateBase+strings.Join(tc.lines, "\n")), false)
	}
	for _, name := range []string{"full.json", "full.jsonl", "full.golden.json", "full.golden.jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", "bundle", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, allowUnknown bool) {
		opt := DecodeOptions{AllowUnknown: allowUnknown, MaxRecordBytes: 1 << 16}
		b, err := Decode(bytes.NewReader(data), opt)
		if b == nil {
			t.Fatalf("no bundle (err %v)", err)
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error is not a ValidationError with problems: %v", err)
			}
			for _, p := range ve.Problems {
				if p.Code == "" || p.Message == "" {
					t.Fatalf("problem without code or message: %+v", p)
				}
			}
		}
		if len(b.NodePlaces) != len(b.Nodes) || len(b.LinkPlaces) != len(b.Links) {
			t.Fatalf("places not filled")
		}
		if err == nil {
			roundTrip(t, b)
		}
		_ = Validate(context.Background(), b, nil)
		_ = Prepare(context.Background(), b, nil)
		if err == nil {
			roundTrip(t, b)
		}
	})
}

// roundTrip checks that b survives Encode and EncodeJSONL.
func roundTrip(t *testing.T, b *Bundle) {
	t.Helper()
	var obj, lines bytes.Buffer
	if err := Encode(&obj, b); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if err := EncodeJSONL(&lines, b); err != nil {
		t.Fatalf("EncodeJSONL: %v", err)
	}
	b2, err := Decode(bytes.NewReader(obj.Bytes()), DecodeOptions{})
	if err != nil {
		t.Fatalf("Decode(Encode(b)): %v\n%s", err, obj.Bytes())
	}
	if !reflect.DeepEqual(canonical(b2), canonical(b)) {
		t.Fatalf("Decode(Encode(b)) differs from b:\n%s", obj.Bytes())
	}
	var again bytes.Buffer
	if err := Encode(&again, b2); err != nil || !bytes.Equal(again.Bytes(), obj.Bytes()) {
		t.Fatalf("Encode is not byte-stable (%v):\n%s\n%s", err, obj.Bytes(), again.Bytes())
	}
	b3, err := Decode(bytes.NewReader(lines.Bytes()), DecodeOptions{})
	if err != nil {
		t.Fatalf("Decode(EncodeJSONL(b)): %v\n%s", err, lines.Bytes())
	}
	if !reflect.DeepEqual(withoutPlaces(b3), withoutPlaces(b)) {
		t.Fatalf("Decode(EncodeJSONL(b)) differs from b:\n%s", lines.Bytes())
	}
	again.Reset()
	if err := EncodeJSONL(&again, b3); err != nil || !bytes.Equal(again.Bytes(), lines.Bytes()) {
		t.Fatalf("EncodeJSONL is not byte-stable (%v)", err)
	}
}
