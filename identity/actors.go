package identity

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkActorType accepts the five actor types.
func checkActorType(t ActorType) error {
	switch t {
	case TypePerson, TypeGroup, TypeApplication, TypeOrganization, TypeService:
		return nil
	}
	return invalid("type", "must be one of Person, Group, Application, Organization, Service")
}

// NewLocalActor builds, but does not store, a local actor of type typ
// with a fresh key pair and every URL of the instance's URL scheme:
//
//	APID, URL    BaseURL/@username
//	Inbox        BaseURL/@username/inbox (and /outbox, /followers, /following)
//	SharedInbox  BaseURL/inbox
//	PublicKeyID  BaseURL/@username#main-key
//
// The public key is an SPKI "PUBLIC KEY" PEM, the private key a PKCS#8
// "PRIVATE KEY" PEM. The username follows the local rules (field
// "username"; see CreateProfile) and the display name becomes plain text
// (field "display_name"). Whether the username is free is only known when
// the actor is stored: the Store's CreateActor or CreateProfile then
// returns ErrConflict. The groups service builds group actors with it.
func (s *Service) NewLocalActor(ctx context.Context, typ ActorType, username, displayName string) (*Actor, error) {
	if err := checkActorType(typ); err != nil {
		return nil, err
	}
	if err := s.checkUsername(username); err != nil {
		return nil, err
	}
	name, err := s.cleanDisplayName("display_name", displayName)
	if err != nil {
		return nil, err
	}
	return s.buildLocalActor(ctx, typ, username, name)
}

// buildLocalActor is NewLocalActor after validation.
func (s *Service) buildLocalActor(ctx context.Context, typ ActorType, username, displayName string) (*Actor, error) {
	apID := s.baseURL + "/@" + username
	a, err := s.buildActor(ctx, typ, apID)
	if err != nil {
		return nil, err
	}
	a.Username = username
	a.DisplayName = displayName
	a.URL = apID
	a.Inbox = apID + "/inbox"
	a.Outbox = apID + "/outbox"
	a.Followers = apID + "/followers"
	a.Following = apID + "/following"
	return a, nil
}

// buildActor makes a local actor with an id, a key pair and the common
// fields.
func (s *Service) buildActor(ctx context.Context, typ ActorType, apID string) (*Actor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := s.genKey()
	if err != nil {
		return nil, fmt.Errorf("identity: generate key: %w", err)
	}
	pub, priv, err := encodeKeyPair(key)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	return &Actor{
		ID:            s.newID(),
		APID:          apID,
		Type:          typ,
		Local:         true,
		Domain:        s.host,
		SharedInbox:   s.baseURL + "/inbox",
		PublicKeyID:   apID + "#main-key",
		PublicKeyPEM:  pub,
		PrivateKeyPEM: priv,
		CreatedAt:     now,
		UpdatedAt:     now,
	}, nil
}

// usernameFree returns a conflict error (field "username") when a local
// actor has the username.
func (s *Service) usernameFree(ctx context.Context, username string) error {
	_, err := s.store.GetLocalActor(ctx, username)
	switch {
	case err == nil:
		return taken("username", "is already taken")
	case isStoreNotFound(err):
		return nil
	default:
		return storeErr("username lookup", err)
	}
}

// InstanceActor returns the instance's Application actor, creating it on
// first use. Its id is BaseURL/actor, its username the instance's host
// (so WebFinger finds it as acct:host@host), its inbox the shared inbox
// BaseURL/inbox; its outbox, followers and following collections are
// BaseURL/actor/outbox, /actor/followers and /actor/following. It
// approves followers manually (relays ask to follow it). Concurrent first
// calls all return the same actor.
func (s *Service) InstanceActor(ctx context.Context) (*Actor, error) {
	apID := s.baseURL + "/actor"
	a, err := s.store.GetActorByAPID(ctx, apID)
	if err == nil {
		return a, nil
	}
	if !isStoreNotFound(err) {
		return nil, storeErr("instance actor", err)
	}
	a, err = s.buildActor(ctx, TypeApplication, apID)
	if err != nil {
		return nil, err
	}
	a.Username = s.host
	a.DisplayName = s.host
	a.URL = s.baseURL + "/"
	a.Inbox = s.baseURL + "/inbox"
	a.Outbox = apID + "/outbox"
	a.Followers = apID + "/followers"
	a.Following = apID + "/following"
	a.ManuallyApprovesFollowers = true
	err = s.store.CreateActor(ctx, a)
	if err == nil {
		return a, nil
	}
	if !isStoreConflict(err) {
		return nil, storeErr("create instance actor", err)
	}
	// Another call created it first.
	a, err = s.store.GetActorByAPID(ctx, apID)
	if err != nil {
		return nil, storeErr("instance actor", err)
	}
	return a, nil
}

// GetActor returns an actor (local or remote) by storage id.
func (s *Service) GetActor(ctx context.Context, id string) (*Actor, error) {
	a, err := s.store.GetActor(ctx, id)
	if err != nil {
		return nil, storeErr("actor "+id, err)
	}
	return a, nil
}

// GetActorByAPID returns an actor (local or remote) by ActivityPub id.
func (s *Service) GetActorByAPID(ctx context.Context, apID string) (*Actor, error) {
	a, err := s.store.GetActorByAPID(ctx, apID)
	if err != nil {
		return nil, storeErr("actor "+apID, err)
	}
	return a, nil
}

// GetLocalActor returns a local actor (profile, group or the instance
// actor) by username, case-insensitively.
func (s *Service) GetLocalActor(ctx context.Context, username string) (*Actor, error) {
	if len(username) > MaxRemoteUsernameLength {
		return nil, fmt.Errorf("local actor: %w", ErrNotFound)
	}
	a, err := s.store.GetLocalActor(ctx, username)
	if err != nil {
		return nil, storeErr("local actor "+username, err)
	}
	return a, nil
}

// PutRemoteActor stores a remote actor fetched from the network, or
// updates the stored one with the same APID, and returns the stored
// actor (FetchedAt set to now). a is not modified.
//
// It refuses (with a *ValidationError naming the field): an APID that is
// not an absolute http(s) URL without fragment ("ap_id") or is on this
// instance's host; a type outside the five ActorTypes ("type"); a Domain
// other than the APID's host ("domain"; empty means the APID's host);
// Local set ("local"); a private key ("private_key_pem"); a missing or
// malformed inbox ("inbox") or other URL; a public key id on another
// host than the APID ("public_key_id"); a public key that
// ParsePublicKeyPEM refuses ("public_key_pem"). Display name and summary
// are cut to MaxDisplayNameLength and MaxSummaryLength characters and
// sanitized (plain text, safe HTML), since remote servers have limits of
// their own.
func (s *Service) PutRemoteActor(ctx context.Context, a *Actor) (*Actor, error) {
	if a == nil {
		return nil, invalid("actor", "is required")
	}
	in, err := s.cleanRemote(*a)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	in.FetchedAt, in.UpdatedAt = now, now
	var out *Actor
	put := func(st Store) error {
		old, err := st.GetActorByAPID(ctx, in.APID)
		switch {
		case err == nil:
			if old.Local {
				return invalid("ap_id", "belongs to a local actor")
			}
			cp := in
			cp.ID, cp.CreatedAt = old.ID, old.CreatedAt
			if err := st.UpdateActor(ctx, &cp); err != nil {
				return storeErr("update remote actor", err)
			}
			out = &cp
			return nil
		case isStoreNotFound(err):
			cp := in
			cp.ID, cp.CreatedAt = s.newID(), now
			if err := st.CreateActor(ctx, &cp); err != nil {
				return storeErr("create remote actor", err)
			}
			out = &cp
			return nil
		default:
			return storeErr("remote actor", err)
		}
	}
	err = s.inTx(ctx, put)
	if err != nil && isStoreConflict(err) {
		// A concurrent call stored it first: update that one.
		err = s.inTx(ctx, put)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cleanRemote validates a remote actor and returns the cleaned copy.
func (s *Service) cleanRemote(a Actor) (Actor, error) {
	if err := checkURL("ap_id", a.APID, true); err != nil {
		return a, err
	}
	u, _ := url.Parse(a.APID)
	if u.Fragment != "" || strings.HasSuffix(a.APID, "#") {
		return a, invalid("ap_id", "must not have a fragment")
	}
	host := strings.ToLower(u.Host)
	if host == s.host {
		return a, invalid("ap_id", "is on this instance's host; a remote actor cannot be local")
	}
	if err := checkActorType(a.Type); err != nil {
		return a, err
	}
	if a.Local {
		return a, invalid("local", "must be false for a remote actor")
	}
	if a.Domain == "" {
		a.Domain = host
	}
	if a.Domain != host {
		return a, invalid("domain", "must be the host of ap_id (%q)", host)
	}
	if a.PrivateKeyPEM != "" {
		return a, invalid("private_key_pem", "must be empty for a remote actor")
	}
	if n := a.Username; len(n) > MaxRemoteUsernameLength || !utf8.ValidString(n) ||
		strings.ContainsFunc(n, func(r rune) bool { return r == '@' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return a, invalid("username", "must be at most %d bytes without spaces, control characters or @", MaxRemoteUsernameLength)
	}
	for _, f := range []struct {
		name     string
		value    string
		required bool
	}{
		{"inbox", a.Inbox, true},
		{"url", a.URL, false},
		{"shared_inbox", a.SharedInbox, false},
		{"outbox", a.Outbox, false},
		{"followers", a.Followers, false},
		{"following", a.Following, false},
		{"avatar_url", a.AvatarURL, false},
		{"banner_url", a.BannerURL, false},
		{"public_key_id", a.PublicKeyID, a.PublicKeyPEM != ""},
	} {
		if err := checkURL(f.name, f.value, f.required); err != nil {
			return a, err
		}
	}
	if a.PublicKeyID != "" {
		ku, _ := url.Parse(a.PublicKeyID)
		if strings.ToLower(ku.Host) != host {
			return a, invalid("public_key_id", "must be on the actor's host %q", host)
		}
	}
	if a.PublicKeyPEM != "" {
		if _, err := ParsePublicKeyPEM(a.PublicKeyPEM); err != nil {
			return a, invalid("public_key_pem", "%v", err)
		}
	}
	a.DisplayName = s.san.Text(cutRunes(strings.Map(dropControl, strings.ToValidUTF8(a.DisplayName, "\uFFFD")), MaxDisplayNameLength))
	a.Summary = s.san.HTML(cutRunes(strings.ToValidUTF8(strings.ReplaceAll(a.Summary, "\x00", ""), "\uFFFD"), MaxSummaryLength))
	return a, nil
}

// dropControl maps control characters to spaces (for strings.Map).
func dropControl(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}

// cutRunes returns s cut to at most n characters.
func cutRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
