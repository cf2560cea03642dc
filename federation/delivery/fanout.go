package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// publicIRIs are the spellings of the ActivityStreams Public collection:
// an audience, never an inbox.
var publicIRIs = map[string]bool{
	"https://www.w3.org/ns/activitystreams#Public": true,
	"as:Public": true,
	"Public":    true,
}

// IsPublic reports whether iri names the Public collection.
func IsPublic(iri string) bool { return publicIRIs[iri] }

// Recipient is a remote actor an activity is addressed to, as the
// caller's actor cache knows it.
type Recipient struct {
	// ID is the actor's IRI.
	ID string
	// Inbox is the actor's own inbox.
	Inbox string
	// SharedInbox is endpoints.sharedInbox, "" when the actor has none.
	SharedInbox string
}

// Addressing is who an activity is for: the IRIs of its to, cc, bto,
// bcc and audience, with every followers or members collection already
// replaced by its members' actor IRIs (the caller knows its own
// collections; remote collections are not expanded). Public may appear;
// it is an audience, not a recipient.
type Addressing struct {
	To, CC, BTo, BCC, Audience []string
}

// Inboxes computes the inboxes an activity goes to: one POST per shared
// inbox, so that 10,000 followers on 1,000 servers cost 1,000 POSTs.
//
// Every IRI of addr (bto and bcc recipients get the activity too; remove
// the fields themselves with StripHidden) that names a recipient is
// delivered to that recipient's SharedInbox, or its Inbox when it has
// none. Skipped: Public; IRIs and inboxes on a host of localHosts (local
// recipients are served in the same transaction, never over HTTP);
// IRIs with no recipient (returned as unresolved, in order, for the caller
// to fetch or ignore). The inboxes are deduplicated and keep the order of
// their first recipient. Hosts in localHosts compare case-insensitively,
// with their port when they have one (h.example:8443).
func Inboxes(addr Addressing, recipients []Recipient, localHosts []string) (inboxes, unresolved []string) {
	byID := make(map[string]Recipient, len(recipients))
	for _, r := range recipients {
		byID[r.ID] = r
	}
	local := make(map[string]bool, len(localHosts))
	for _, h := range localHosts {
		local[strings.ToLower(h)] = true
	}
	isLocal := func(iri string) bool {
		u, err := url.Parse(iri)
		return err == nil && local[strings.ToLower(u.Host)]
	}
	seenIRI := map[string]bool{}
	seenInbox := map[string]bool{}
	for _, list := range [][]string{addr.To, addr.CC, addr.BTo, addr.BCC, addr.Audience} {
		for _, iri := range list {
			if iri == "" || seenIRI[iri] || IsPublic(iri) || isLocal(iri) {
				continue
			}
			seenIRI[iri] = true
			r, ok := byID[iri]
			if !ok {
				unresolved = append(unresolved, iri)
				continue
			}
			in := r.SharedInbox
			if in == "" {
				in = r.Inbox
			}
			if in == "" || seenInbox[in] || isLocal(in) {
				continue
			}
			seenInbox[in] = true
			inboxes = append(inboxes, in)
		}
	}
	return inboxes, unresolved
}

// StripHidden removes bto and bcc from an activity and from its embedded
// object (ActivityPub §6: they must not be delivered). A body without
// them comes back unchanged, byte for byte; otherwise it is re-encoded
// (keys sorted).
func StripHidden(body []byte) ([]byte, error) {
	if !bytes.Contains(body, []byte(`"bto"`)) && !bytes.Contains(body, []byte(`"bcc"`)) {
		return body, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("delivery: strip bto/bcc: %w", err)
	}
	changed := strip(top)
	if raw, ok := top["object"]; ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("delivery: strip bto/bcc: object: %w", err)
		}
		if strip(obj) {
			b, err := marshal(obj)
			if err != nil {
				return nil, err
			}
			top["object"], changed = b, true
		}
	}
	if !changed {
		return body, nil
	}
	return marshal(top)
}

// marshal encodes m without escaping <, > and & (HTML content stays
// readable).
func marshal(m map[string]json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func strip(m map[string]json.RawMessage) bool {
	_, a := m["bto"]
	_, b := m["bcc"]
	delete(m, "bto")
	delete(m, "bcc")
	return a || b
}
