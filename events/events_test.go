package events_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice := f.actor("alice")
	cases := []struct {
		name   string
		change func(in *events.Input)
		field  string
	}{
		{"no title", func(in *events.Input) { in.Title = "  " }, "title"},
		{"title only markup", func(in *events.Input) { in.Title = "<b></b>" }, "title"},
		{"long title", func(in *events.Input) { in.Title = strings.Repeat("é", events.MaxTitleLength+1) }, "title"},
		{"no start", func(in *events.Input) { in.BeginsAt = time.Time{} }, "begins_on"},
		{"end before start", func(in *events.Input) { in.EndsAt = in.BeginsAt.Add(-time.Minute) }, "ends_on"},
		{"longer than a year", func(in *events.Input) { in.EndsAt = in.BeginsAt.Add(400 * 24 * time.Hour) }, "ends_on"},
		{"unknown zone", func(in *events.Input) { in.TimeZone = "Europe/Atlantis" }, "timezone"},
		{"path as zone", func(in *events.Input) { in.TimeZone = "../../etc/passwd" }, "timezone"},
		{"Local zone", func(in *events.Input) { in.TimeZone = "Local" }, "timezone"},
		{"status", func(in *events.Input) { in.Status = "maybe" }, "status"},
		{"visibility", func(in *events.Input) { in.Visibility = "secret" }, "visibility"},
		{"join mode", func(in *events.Input) { in.JoinMode = "lottery" }, "join_mode"},
		{"external without URL", func(in *events.Input) { in.JoinMode = events.JoinExternal }, "external_url"},
		{"URL without external", func(in *events.Input) { in.ExternalURL = "https://tickets.example" }, "external_url"},
		{"external javascript", func(in *events.Input) {
			in.JoinMode, in.ExternalURL = events.JoinExternal, "javascript:alert(1)"
		}, "external_url"},
		{"negative capacity", func(in *events.Input) { in.Capacity = -1 }, "capacity"},
		{"huge capacity", func(in *events.Input) { in.Capacity = events.MaxCapacity + 1 }, "capacity"},
		{"anonymous on invite", func(in *events.Input) {
			in.AnonymousParticipation, in.JoinMode = true, events.JoinInvite
		}, "anonymous_participation"},
		{"online address", func(in *events.Input) { in.OnlineAddress = "ftp://files.example" }, "online_address"},
		{"latitude alone", func(in *events.Input) { in.Place = &geo.Place{Name: "Hall", Latitude: ptr(45.0)} }, "place"},
		{"latitude range", func(in *events.Input) {
			in.Place = &geo.Place{Latitude: ptr(91.0), Longitude: ptr(4.0)}
		}, "place"},
		{"long street", func(in *events.Input) {
			in.Place = &geo.Place{Street: strings.Repeat("x", events.MaxPlaceFieldLength+1)}
		}, "place.street"},
		{"category", func(in *events.Input) { in.Category = "music & dance" }, "category"},
		{"long tag", func(in *events.Input) { in.Tags = []string{strings.Repeat("t", events.MaxTagLength+1)} }, "tags"},
		{"tag with space", func(in *events.Input) { in.Tags = []string{"two words"} }, "tags"},
		{"too many tags", func(in *events.Input) {
			for i := 0; i <= events.MaxTags; i++ {
				in.Tags = append(in.Tags, "t"+strings.Repeat("x", i))
			}
		}, "tags"},
		{"language", func(in *events.Input) { in.Language = "english please" }, "language"},
		{"picture", func(in *events.Input) { in.PictureURL = "data:image/png;base64,AAAA" }, "picture_url"},
		{"link kind", func(in *events.Input) { in.Links = []events.Link{{Kind: "fax", URL: "https://x.example"}} }, "links"},
		{"link URL", func(in *events.Input) { in.Links = []events.Link{{Kind: events.LinkPad, URL: "pad"}} }, "links"},
		{"comment moderation", func(in *events.Input) { in.CommentModeration = "whatever" }, "comment_moderation"},
		{"recurrence", func(in *events.Input) { in.Recurrence = "FREQ=HOURLY" }, "recurrence"},
		{"exdates without rule", func(in *events.Input) { in.ExDates = []time.Time{t0} }, "exdates"},
		{"contacts", func(in *events.Input) { in.Contacts = []string{" "} }, "contacts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input("Repair café")
			tc.change(&in)
			_, err := f.svc.Create(f.ctx, alice, in)
			var ve *events.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "%v", err)
			assert.ErrorIs(t, err, events.ErrInvalid)
		})
	}
	// Nothing was written by any of them.
	all, err := f.store.FindEvents(f.ctx, events.StoreQuery{From: t0.Add(-1000 * time.Hour), To: t0.Add(100000 * time.Hour), IncludeDrafts: true, Limit: 100})
	require.NoError(t, err)
	assert.Empty(t, all)
	assert.Empty(t, f.hook.kinds())
}

func TestCreateStoresEveryField(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b.open(t))
			alice := f.actor("alice")
			in := input("  Repair <b>café</b>  ")
			in.Description = `<p>Bring <em>broken</em> things</p><script>alert(1)</script><a href="javascript:x()">x</a>`
			in.Category = "workshops_skill_sharing"
			in.Tags = []string{"#Repair", "repair", "Reuse", "  "}
			in.Place = &geo.Place{Name: "Casa", Locality: "São Paulo", Latitude: ptr(-23.55), Longitude: ptr(-46.63)}
			in.Links = []events.Link{{Kind: events.LinkPad, Title: "Notes", URL: "https://pad.example/p/1"}}
			in.Capacity, in.Language = 40, "pt-BR"
			e := f.create(alice, in)

			assert.Equal(t, "Repair café", e.Title)
			assert.NotContains(t, e.Description, "script")
			assert.NotContains(t, e.Description, "javascript")
			assert.Contains(t, e.Description, "<em>broken</em>")
			assert.Equal(t, "WORKSHOPS_SKILL_SHARING", e.Category)
			assert.Equal(t, []string{"Repair", "Reuse"}, e.Tags)
			assert.Equal(t, "https://events.example/events/"+e.ID, e.APID)
			assert.Equal(t, events.Confirmed, e.Status)
			assert.Equal(t, events.Public, e.Visibility)
			assert.Equal(t, events.JoinFree, e.JoinMode)
			assert.Equal(t, events.CommentsAllowAll, e.CommentModeration)
			assert.Equal(t, e.EndsAt, e.SeriesEndsAt)
			assert.Equal(t, t0, e.PublishedAt)

			got, err := f.store.GetEvent(f.ctx, e.ID)
			require.NoError(t, err)
			assert.Equal(t, e, got)
			p, err := f.svc.Participation(f.ctx, e.ID, alice)
			require.NoError(t, err)
			assert.Equal(t, events.RoleCreator, p.Role)
			assert.Equal(t, []events.ChangeKind{events.EventCreated}, f.hook.kinds())
		})
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice, bob := f.actor("alice"), f.actor("bob")
	e := f.create(alice, input("Picnic"))

	in := events.InputOf(e)
	in.Title = "Picnic in the park"
	_, err := f.svc.Update(f.ctx, bob, e.ID, in)
	require.ErrorIs(t, err, events.ErrForbidden)

	f.clock.Set(t0.Add(time.Hour))
	up, err := f.svc.Update(f.ctx, alice, e.ID, in)
	require.NoError(t, err)
	assert.Equal(t, "Picnic in the park", up.Title)
	assert.Equal(t, 1, up.Sequence)
	assert.Equal(t, t0.Add(time.Hour), up.UpdatedAt)

	in.Title = ""
	_, err = f.svc.Update(f.ctx, alice, e.ID, in)
	require.ErrorIs(t, err, events.ErrInvalid)
	got, err := f.store.GetEvent(f.ctx, e.ID)
	require.NoError(t, err)
	assert.Equal(t, "Picnic in the park", got.Title, "a refused update changes nothing")

	c, err := f.svc.Cancel(f.ctx, alice, e.ID)
	require.NoError(t, err)
	assert.Equal(t, events.Cancelled, c.Status)
	assert.Equal(t, 2, c.Sequence)

	in.Title = "Picnic"
	_, err = f.svc.Update(f.ctx, alice, "no-such-event", in)
	require.ErrorIs(t, err, events.ErrNotFound)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice, bob := f.actor("alice"), f.actor("bob")
	e := f.create(alice, input("Picnic"))
	_, err := f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{})
	require.NoError(t, err)
	require.ErrorIs(t, f.svc.Delete(f.ctx, bob, e.ID), events.ErrForbidden)
	require.NoError(t, f.svc.Delete(f.ctx, alice, e.ID))
	_, err = f.svc.Get(f.ctx, alice, e.ID)
	require.ErrorIs(t, err, events.ErrNotFound)
	_, err = f.store.GetParticipantByActor(f.ctx, e.ID, bob)
	require.ErrorIs(t, err, storage.ErrNotFound)
	assert.Equal(t, events.EventDeleted, f.hook.kinds()[len(f.hook.kinds())-1])
}

func TestGetVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice, bob, carol := f.actor("alice"), f.actor("bob"), f.actor("carol")

	priv := input("Private dinner")
	priv.Visibility = events.Private
	p := f.create(alice, priv)
	draft := input("Draft")
	draft.Draft = true
	d := f.create(alice, draft)
	unl := input("Unlisted")
	unl.Visibility = events.Unlisted
	u := f.create(alice, unl)
	assert.True(t, d.PublishedAt.IsZero())

	// bob takes part in the private event (he knows its address).
	require.NoError(t, f.store.CreateParticipant(f.ctx, &events.Participant{ID: "p-bob", EventID: p.ID, ActorID: bob,
		Role: events.RoleParticipant, CreatedAt: t0, UpdatedAt: t0}))

	cases := []struct {
		event  string
		viewer string
		ok     bool
	}{
		{p.ID, alice, true}, {p.ID, bob, true}, {p.ID, carol, false}, {p.ID, "", false},
		{d.ID, alice, true}, {d.ID, bob, false}, {d.ID, "", false},
		{u.ID, carol, true}, {u.ID, "", true},
	}
	for _, tc := range cases {
		_, err := f.svc.Get(f.ctx, tc.viewer, tc.event)
		if tc.ok {
			assert.NoError(t, err, "%s sees %s", tc.viewer, tc.event)
		} else {
			assert.ErrorIs(t, err, events.ErrNotFound, "%s must not see %s", tc.viewer, tc.event)
		}
	}
}

func TestHookFailureRollsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice := f.actor("alice")
	f.hook.fail = errors.New("outbox full")
	_, err := f.svc.Create(f.ctx, alice, input("Never"))
	require.Error(t, err)
	evs, err := f.store.FindEvents(f.ctx, events.StoreQuery{From: t0, To: t0.Add(1000 * time.Hour), Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, evs, "the event and its outbox entry commit together or not at all")
}

func TestGroupEvents(t *testing.T) {
	t.Parallel()
	st := sqlitetest.Open(t)
	g := fakeGroups{ops: map[[2]string][]events.GroupOp{}}
	f := newFixtureWith(t, st, g)
	mod, member, outsider := f.actor("mod"), f.actor("member"), f.actor("outsider")
	group := f.actor("climate")
	g.ops[[2]string{group, mod}] = moderatorOps
	g.ops[[2]string{group, member}] = memberOps

	in := input("March")
	in.GroupID = group
	_, err := f.svc.Create(f.ctx, member, in)
	require.ErrorIs(t, err, events.ErrForbidden, "members cannot create group events")
	_, err = f.svc.Create(f.ctx, outsider, in)
	require.ErrorIs(t, err, events.ErrForbidden)
	e, err := f.svc.Create(f.ctx, mod, in)
	require.NoError(t, err)
	assert.Equal(t, group, e.OrganizerID)
	assert.Equal(t, group, e.GroupID)
	assert.Equal(t, mod, e.CreatorID)

	// Any moderator of the group may update it, not only its creator.
	mod2 := f.actor("mod2")
	g.ops[[2]string{group, mod2}] = moderatorOps
	up := events.InputOf(e)
	up.Title = "Climate march"
	_, err = f.svc.Update(f.ctx, mod2, e.ID, up)
	require.NoError(t, err)
	_, err = f.svc.Update(f.ctx, member, e.ID, up)
	require.ErrorIs(t, err, events.ErrForbidden)

	// Private group events are visible to members.
	priv := input("Members' meeting")
	priv.GroupID, priv.Visibility = group, events.Private
	pe, err := f.svc.Create(f.ctx, mod, priv)
	require.NoError(t, err)
	_, err = f.svc.Get(f.ctx, member, pe.ID)
	require.NoError(t, err)
	_, err = f.svc.Get(f.ctx, outsider, pe.ID)
	require.ErrorIs(t, err, events.ErrNotFound)

	// Without a GroupAuthorizer, group events are refused.
	f2 := newFixture(t, st)
	_, err = f2.svc.Create(f.ctx, mod, in)
	require.ErrorIs(t, err, events.ErrForbidden)
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	_, err := events.New(events.Config{BaseURL: "https://x.example"})
	require.Error(t, err)
	for _, base := range []string{"", "x.example", "ftp://x.example", "https://x.example/sub"} {
		_, err := events.New(events.Config{Store: sqlitetest.Open(t), BaseURL: base})
		require.Error(t, err, base)
	}
}

// TestPublishingADraftIsMarked: the hook learns which update published a
// draft (federation sends a Create then, an Update otherwise).
func TestPublishingADraftIsMarked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice := f.actor("alice")
	in := input("Soon")
	in.Draft = true
	e := f.create(alice, in)
	in = events.InputOf(e)
	in.Draft = false
	_, err := f.svc.Update(f.ctx, alice, e.ID, in)
	require.NoError(t, err)
	in.Title = "Soon, really"
	_, err = f.svc.Update(f.ctx, alice, e.ID, in)
	require.NoError(t, err)
	f.hook.mu.Lock()
	defer f.hook.mu.Unlock()
	require.Len(t, f.hook.changes, 3)
	assert.Equal(t, events.EventCreated, f.hook.changes[0].Kind)
	assert.True(t, f.hook.changes[1].Published, "the update that published the draft")
	assert.False(t, f.hook.changes[2].Published)
}
