package wire_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/wire"
)

// seed adds every shared fixture (when present) and every golden file.
func seed(f *testing.F) {
	for _, pattern := range []string{fixturesDir + "/*.json", fixturesDir + "/*/*.json", "testdata/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			require.NoError(f, err)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"Event","name":"2024","location":[{"type":"Place","latitude":-1,"longitude":-2},"x"],"to":"as:Public"}`))
	f.Add([]byte(`{"type":"Leave","actor":["https://a.example/@p"],"object":{"type":"Group","id":"https://a.example/@g"}}`))
}

// checkStrings walks v and fails on invalid UTF-8 or NUL in any string.
func checkStrings(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(t, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				checkStrings(t, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw JSON
		}
		for i := range v.Len() {
			checkStrings(t, v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			checkStrings(t, k)
			checkStrings(t, v.MapIndex(k))
		}
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 kept: %q", s)
		}
		for i := range len(s) {
			if s[i] == 0 {
				t.Fatalf("NUL kept: %q", s)
			}
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	seed(f)
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pe, err := p.ParseEvent(data)
		if err != nil {
			require.ErrorIs(t, err, wire.ErrInvalid)
			return
		}
		checkStrings(t, reflect.ValueOf(pe))
		if pe.Event.APID == "" || pe.Event.BeginsAt.IsZero() {
			return
		}
		// What was read can be written again, as valid JSON that parses.
		out, err := wire.EventDocument(wire.EventView{Event: pe.Event, Organizer: "https://o.example/@o"})
		if err != nil {
			require.ErrorIs(t, err, wire.ErrInvalid)
			return
		}
		require.True(t, json.Valid(out))
		_, err = p.ParseEvent(out)
		require.NoError(t, err)
	})
}

func FuzzParseActivity(f *testing.F) {
	seed(f)
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := p.ParseActivity(data)
		if err != nil {
			require.ErrorIs(t, err, wire.ErrInvalid)
			return
		}
		checkStrings(t, reflect.ValueOf(a))
	})
}

func FuzzParseActor(f *testing.F) {
	seed(f)
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := p.ParseActor(data)
		if err != nil {
			require.ErrorIs(t, err, wire.ErrInvalid)
			return
		}
		checkStrings(t, reflect.ValueOf(a))
		require.NotEmpty(t, a.Actor.APID)
		require.NotEmpty(t, a.Actor.Inbox)
	})
}

func FuzzParseObject(f *testing.F) {
	seed(f)
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if o, err := p.ParseObject(data); err == nil {
			checkStrings(t, reflect.ValueOf(o))
		} else {
			require.ErrorIs(t, err, wire.ErrInvalid)
		}
		if c, err := p.ParseCollection(data); err == nil {
			checkStrings(t, reflect.ValueOf(c))
		} else {
			require.ErrorIs(t, err, wire.ErrInvalid)
		}
	})
}

func FuzzParseDiscovery(f *testing.F) {
	seed(f)
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if j, err := p.ParseJRD(data); err == nil {
			checkStrings(t, reflect.ValueOf(j))
		} else {
			require.ErrorIs(t, err, wire.ErrInvalid)
		}
		if n, err := p.ParseNodeInfo(data); err == nil {
			checkStrings(t, reflect.ValueOf(n))
		} else {
			require.ErrorIs(t, err, wire.ErrInvalid)
		}
	})
}
