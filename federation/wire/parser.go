package wire

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/internal/htmlsafe"
)

// Config configures a Parser.
type Config struct {
	// Sanitizer cleans inbound HTML and plain text. Optional: nil builds
	// one with htmlsafe.New (costly: share one Parser).
	Sanitizer *htmlsafe.Sanitizer
}

// Parser reads ActivityStreams documents from other servers into domain
// types. It is safe for concurrent use; build one and share it.
type Parser struct {
	san  *htmlsafe.Sanitizer
	pool fastjson.ParserPool
	// zones caches loaded time zones by IANA name. Only names that load
	// are stored, so it is bounded by the size of the zone database.
	zones sync.Map
}

// zone loads an IANA time zone, nil when the name is not one ("Local" is
// refused: it means this machine's zone).
func (p *Parser) zone(name string) *time.Location {
	if l, ok := p.zones.Load(name); ok {
		return l.(*time.Location)
	}
	if name == "Local" {
		return nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	p.zones.Store(name, l)
	return l
}

// NewParser returns a Parser.
func NewParser(cfg Config) (*Parser, error) {
	san := cfg.Sanitizer
	if san == nil {
		san = htmlsafe.New()
	}
	return &Parser{san: san}, nil
}

// parse checks the document's limits and encoding, parses it once with a
// pooled fastjson parser and hands the root object to fn. Values from the
// parser must not outlive fn: readers copy what they keep.
func (p *Parser) parse(data []byte, fn func(v *fastjson.Value, r *reader) error) error {
	if err := CheckDocument(data); err != nil {
		return err
	}
	fp := p.pool.Get()
	defer p.pool.Put(fp)
	v, err := fp.ParseBytes(data)
	if err != nil {
		return errf(ErrSyntax, "", "%v", err)
	}
	if v.Type() != fastjson.TypeObject {
		return errf(ErrSyntax, "", "the document is not a JSON object")
	}
	if err := uniqueKeys(v); err != nil {
		return err
	}
	r := &reader{san: p.san, zone: p.zone}
	if err := fn(v, r); err != nil {
		return err
	}
	return r.err
}

// uniqueKeys refuses an object, at any depth, that names a key twice
// (SECURITY.md case 38): JSON parsers disagree on which one counts, so a
// document with {"actor": A, "actor": B} could be checked as A's and
// acted on as B's. The depth is bounded by CheckDocument.
func uniqueKeys(v *fastjson.Value) error {
	var c keyChecker
	if c.check(v); c.found {
		return errf(ErrSyntax, c.path, "the key %q appears twice", c.path[strings.LastIndexByte(c.path, '.')+1:])
	}
	return nil
}

// keyChecker finds a key named twice in its object. The keys of the
// objects being visited share one stack.
type keyChecker struct {
	keys  [][]byte
	found bool
	path  string
}

// smallObject is the size up to which an object's keys are compared by
// a scan; larger ones use a map.
const smallObject = 16

func (c *keyChecker) check(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		start := len(c.keys)
		var seen map[string]struct{}
		if o.Len() > smallObject {
			seen = make(map[string]struct{}, o.Len())
		}
		o.Visit(func(k []byte, child *fastjson.Value) {
			if c.found {
				return
			}
			dup := false
			if seen != nil {
				_, dup = seen[string(k)]
				seen[string(k)] = struct{}{}
			} else {
				for _, s := range c.keys[start:] {
					if bytes.Equal(s, k) {
						dup = true
						break
					}
				}
				c.keys = append(c.keys, k)
			}
			if dup {
				c.found, c.path = true, string(k)
				return
			}
			c.check(child)
			if c.found {
				c.path = string(k) + "." + c.path
			}
		})
		c.keys = c.keys[:start]
	case fastjson.TypeArray:
		items, _ := v.Array()
		for _, item := range items {
			if c.check(item); c.found {
				return
			}
		}
	}
}
