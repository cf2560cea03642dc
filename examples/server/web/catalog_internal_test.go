package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

var (
	templateKey  = regexp.MustCompile(`\.T "([a-z_.]+)"`)
	templatePfx  = regexp.MustCompile(`T \(print "([a-z_]+\.)`)
	goKey        = regexp.MustCompile(`"((?:error|login|signup|form|explore|follow|event|group|reset|my_events|my_groups|identities|anon|export|members|invite|admin|comment|discussion|resource|post|todo|report|mod|rules|message|conv)\.[a-z_]+)"`)
	flashKey     = regexp.MustCompile(`(?:redirect\(rw, r, [^,]+, |return |msg = |msg := )"([a-z_]+)"`)
	formatVerbRe = regexp.MustCompile(`%[sdv]`)
)

// usedKeys lists the catalog keys the templates and handlers name, and
// the prefixes of keys they build.
func usedKeys(t *testing.T) (keys []string, prefixes []string) {
	t.Helper()
	err := fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		for _, m := range templatePfx.FindAllStringSubmatch(string(b), -1) {
			prefixes = append(prefixes, m[1])
		}
		return nil
	})
	require.NoError(t, err)
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "catalog.go" {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		for _, m := range flashKey.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "" && m[1] != "next" {
				keys = append(keys, "flash."+m[1])
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), prefixes
}

func TestCatalogsHaveEveryKey(t *testing.T) {
	keys, prefixes := usedKeys(t)
	require.Greater(t, len(keys), 100, "the key scan found too little to be right")
	for lang, cat := range catalogs {
		for _, k := range keys {
			assert.Contains(t, cat, k, "%s catalog", lang)
		}
		for _, p := range prefixes {
			n := 0
			for k := range cat {
				if strings.HasPrefix(k, p) {
					n++
				}
			}
			assert.Positive(t, n, "%s catalog has no %s* keys", lang, p)
		}
		for _, c := range events.Categories() {
			assert.Contains(t, cat, "category."+c, "%s catalog", lang)
		}
	}
}

func TestCatalogsMatch(t *testing.T) {
	en := catalogs[DefaultLang]
	for lang, cat := range catalogs {
		for k, v := range en {
			other, ok := cat[k]
			if !assert.True(t, ok, "%s lacks %q", lang, k) {
				continue
			}
			assert.Equal(t, formatVerbRe.FindAllString(v, -1), formatVerbRe.FindAllString(other, -1),
				"%s %q has other format verbs", lang, k)
		}
		for k := range cat {
			assert.Contains(t, en, k, "%s has a key English lacks", lang)
		}
	}
}

func TestTranslateFallsBack(t *testing.T) {
	assert.Equal(t, "Log in", translate("fr-unknown", "login.title"))
	assert.Equal(t, "no.such.key", translate("fr", "no.such.key"))
	assert.Equal(t, "par Alice", translate("fr", "event.by", "Alice"))
	assert.Equal(t, "fr", supported("fr-CA"))
	assert.Equal(t, "fr", supported("FR_fr"))
	assert.Empty(t, supported("de"))
}
