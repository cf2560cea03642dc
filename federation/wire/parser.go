package wire

import (
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
	r := &reader{san: p.san, zone: p.zone}
	if err := fn(v, r); err != nil {
		return err
	}
	return r.err
}
