package wire_test

import (
	"crypto/rsa"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// Every fixture from real servers parses, and the fields the project
// understands come out right.

func TestFixtureMobilizonEvents(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	cases := []struct {
		file, picture string
		links         int
	}{
		{"mobilizon-post-activity.json", "", 1},
		{"mobilizon-post-activity-media-1.json", "https://mobilizon.fr/some-image-1", 1}, // top-level image wins over a nameless Document
		{"mobilizon-post-activity-media-2.json", "https://mobilizon.fr/some-image-2", 1}, // the Document named Banner
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			a, err := p.ParseActivity(fixture(t, tc.file))
			require.NoError(t, err)
			assert.Equal(t, wire.TypeCreate, a.Type)
			assert.Equal(t, "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93/activity", a.ID)
			assert.Equal(t, "https://mobilizon.fr/@metacartes", a.Actor)
			assert.True(t, a.Public())
			require.NotNil(t, a.Event)
			pe := a.Event
			ev := pe.Event
			assert.Equal(t, "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93", ev.APID)
			assert.Equal(t, ev.APID, a.ObjectIRI)
			assert.Equal(t, ev.APID, ev.URL)
			assert.Equal(t, "109ccdfd-ee3e-46e1-a877-6c228763df0c", pe.UUID)
			assert.Equal(t, "My first event", ev.Title)
			assert.Contains(t, ev.Description, `@<span>tcit</span></a></span>`)
			assert.Equal(t, time.Date(2018, 2, 12, 14, 8, 20, 0, time.UTC), ev.BeginsAt)
			assert.True(t, ev.EndsAt.IsZero())
			assert.True(t, pe.NoEndTime)
			assert.Equal(t, events.Public, ev.Visibility)
			assert.Equal(t, events.Confirmed, ev.Status)
			assert.Equal(t, events.JoinFree, ev.JoinMode)
			assert.Equal(t, "TODO REMOVE ME", ev.Category) // unknown categories are kept
			assert.Equal(t, "https://mobilizon.fr/@metacartes", pe.AttributedTo)
			require.NotNil(t, ev.Place)
			assert.Equal(t, "Locaux de Framasoft", ev.Place.Name)
			assert.Equal(t, "10 Rue Jangot", ev.Place.Street)
			assert.Equal(t, "69007", ev.Place.PostalCode)
			assert.Equal(t, "Lyon", ev.Place.Locality)
			assert.Equal(t, "Auvergne Rhône Alpes", ev.Place.Region)
			assert.Equal(t, "France", ev.Place.Country)
			assert.Nil(t, ev.Place.Latitude)
			assert.Equal(t, "https://event1.tcit.fr/address/eeecc11d-0030-43e8-a897-6422876372jd", pe.PlaceID)
			assert.Equal(t, "https://google.com", ev.OnlineAddress) // the Link named Website
			require.Len(t, ev.Links, tc.links)
			assert.Equal(t, events.Link{Kind: events.LinkOther, Title: "Another link", URL: "https://something.org"}, ev.Links[0])
			assert.Equal(t, tc.picture, ev.PictureURL)
			assert.Empty(t, ev.Tags) // a Mention is not a hashtag
			assert.Equal(t, time.Date(2018, 2, 12, 14, 8, 20, 0, time.UTC), ev.PublishedAt)
			assert.Equal(t, []string{"https://framapiaf.org/users/admin/followers", "https://framapiaf.org/users/tcit"}, pe.CC)
			assert.Contains(t, pe.Extra, "inReplyTo") // kept for relaying
		})
	}
}

func TestFixtureMobilizonGroupEvent(t *testing.T) {
	t.Parallel()
	a, err := testParser(t).ParseActivity(fixture(t, "mobilizon-post-activity-group.json"))
	require.NoError(t, err)
	assert.Equal(t, "http://mobilizon1.com/@user", a.Actor)
	assert.Equal(t, "http://mobilizon1.com/@group", a.AttributedTo)
	require.NotNil(t, a.Event)
	assert.Equal(t, "http://mobilizon1.com/@group", a.Event.AttributedTo)
	assert.Equal(t, "http://mobilizon1.com/@user", a.Event.Actor)
	assert.Equal(t, []string{"http://mobilizon1.com/@group"}, a.Event.To)
	assert.Equal(t, events.Private, a.Event.Event.Visibility)
	assert.Equal(t, "f270ae07-7991-453c-9bb7-3d2122ededae", a.Event.UUID)
	assert.True(t, a.Event.NoEndTime)
	assert.False(t, a.Public())
}

func TestFixtureMobilizonGroupActor(t *testing.T) {
	t.Parallel()
	pa, err := testParser(t).ParseActor(fixture(t, "fedidevs-mobilizon.fr-group-framasoft.json"))
	require.NoError(t, err)
	a := pa.Actor
	assert.Equal(t, identity.TypeGroup, a.Type)
	assert.Equal(t, "https://mobilizon.fr/@framasoft", a.APID)
	assert.Equal(t, "framasoft", a.Username)
	assert.Equal(t, "mobilizon.fr", a.Domain)
	assert.Equal(t, "Framasoft", a.DisplayName)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/inbox", a.Inbox)
	assert.Equal(t, "https://mobilizon.fr/inbox", a.SharedInbox)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/followers", a.Followers)
	assert.Equal(t, "https://mobilizon.fr/@framasoft#main-key", a.PublicKeyID)
	assert.Equal(t, "https://mobilizon.fr/@framasoft", pa.KeyOwner)
	assert.Contains(t, a.PublicKeyPEM, "BEGIN RSA PUBLIC KEY") // PKCS#1
	key, err := wire.ParsePublicKeyPEM(a.PublicKeyPEM)
	require.NoError(t, err)
	assert.IsType(t, &rsa.PublicKey{}, key)
	assert.True(t, a.Discoverable)
	assert.False(t, a.ManuallyApprovesFollowers)
	assert.Equal(t, groups.Moderated, pa.Openness)
	require.NotNil(t, pa.MemberCount)
	assert.Equal(t, 15, *pa.MemberCount)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/members", pa.Members)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/resources", pa.Resources)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/posts", pa.Posts)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/todos", pa.Todos)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/events", pa.Events)
	assert.Equal(t, "https://mobilizon.fr/@framasoft/discussions", pa.Discussions)
	assert.NotEmpty(t, a.AvatarURL)
	assert.NotEmpty(t, a.BannerURL)
	require.NotNil(t, pa.Place)
	assert.Equal(t, "Lyon", pa.Place.Locality)
	g := pa.Group()
	assert.Equal(t, groups.Public, g.Visibility)
	assert.Equal(t, groups.Moderated, g.Openness)
}

func TestFixtureMembersCollection(t *testing.T) {
	t.Parallel()
	c, err := testParser(t).ParseCollection(fixture(t, "mobilizon-members-collection.json"))
	require.NoError(t, err)
	assert.Equal(t, "OrderedCollection", c.Type)
	assert.Equal(t, "http://mobilizon.test/@demo/members", c.ID)
	require.NotNil(t, c.TotalItems)
	assert.Equal(t, 2, *c.TotalItems)
	require.Len(t, c.Items, 2)
	assert.Equal(t, "Member", c.Items[0].Type)
	assert.Equal(t, "http://mobilizon.test/@tcit", c.Items[0].Actor)
	assert.Equal(t, "http://mobilizon.test/@demo", c.Items[0].Object)
	assert.Equal(t, string(groups.RoleAdministrator), c.Items[0].Role)
	assert.Equal(t, "http://mobilizon2.com/@tcit", c.Items[1].Actor)
	assert.Equal(t, string(groups.RoleMember), c.Items[1].Role)
	assert.Equal(t, "http://mobilizon.test/member/13b0fc1e-2ceb-401c-bef7-0eba02fb92dc", c.Items[1].ID)
}

func TestFixtureMobilizonActivities(t *testing.T) {
	t.Parallel()
	p := testParser(t)

	inv, err := p.ParseActivity(fixture(t, "mobilizon-invite-activity.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeInvite, inv.Type)
	assert.Equal(t, "http://mobilizon2.test/member/some-uuid", inv.ID)
	assert.Equal(t, "http://mobilizon2.test/@admin", inv.Actor)
	assert.Equal(t, "http://mobilizon.test/@mygroup", inv.ObjectIRI)
	assert.Equal(t, "http://mobilizon.test/@someuser", inv.Target)
	assert.NotContains(t, inv.Extra, "signature") // LD signatures are not relayed

	join, err := p.ParseActivity(fixture(t, "mobilizon-join-activity.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeJoin, join.Type)
	assert.Equal(t, "http://mobilizon2.test/@admin/join/event/1", join.ID)
	assert.Equal(t, "http://mobilizon2.test/@admin", join.Actor)
	assert.Equal(t, "http://mobilizon.test/events/some-uuid", join.ObjectIRI)

	leave, err := p.ParseActivity(fixture(t, "mobilizon-leave-activity.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeLeave, leave.Type)
	assert.Equal(t, "http://mobilizon2.test/@admin", leave.Actor)
	assert.Equal(t, "http://mobilizon.test/events/some-uuid", leave.ObjectIRI)
}

func TestFixtureGancio(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	a, err := p.ParseActivity(fixture(t, "gancio-event-activity.json"))
	require.NoError(t, err)
	require.NotNil(t, a.Event)
	ev := a.Event.Event
	assert.Equal(t, "https://demo.gancio.org/federation/m/1", ev.APID)
	assert.Equal(t, "https://demo.gancio.org/event/demo-event", ev.URL)
	assert.Equal(t, "Demo event", ev.Title)
	// Times with offsets: the instants are right.
	assert.Equal(t, time.Date(2021, 7, 14, 15, 30, 57, 0, time.UTC), ev.BeginsAt)
	assert.Equal(t, time.Date(2021, 7, 14, 16, 30, 57, 0, time.UTC), ev.EndsAt)
	require.NotNil(t, ev.Place)
	assert.Equal(t, "Colosseo", ev.Place.Name)
	assert.Equal(t, []string{"test"}, ev.Tags) // relative href ignored, name kept
	assert.Equal(t, events.Public, ev.Visibility)
	assert.Contains(t, a.Event.Summary, "Colosseo")

	actor, err := p.ParseActor(fixture(t, "gancio-actor.json"))
	require.NoError(t, err)
	assert.Equal(t, identity.TypeApplication, actor.Actor.Type)
	assert.Equal(t, "gancio", actor.Actor.Username)
	assert.Equal(t, "demo.gancio.org", actor.Actor.Domain)
	assert.Equal(t, "https://demo.gancio.org/federation/u/gancio/inbox", actor.Actor.Inbox)
	assert.True(t, actor.Actor.Discoverable)
	_, err = wire.ParsePublicKeyPEM(actor.Actor.PublicKeyPEM)
	require.NoError(t, err)
	assert.Contains(t, actor.Extra, "attachment")
}

func TestFixturePeerTubeVideo(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	data := fixture(t, "peertube-video.json")
	o, err := p.ParseObject(data)
	require.NoError(t, err)
	assert.Equal(t, "Video", o.Type)
	assert.Equal(t, "https://framatube.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d", o.ID)
	assert.Equal(t, "What is PeerTube?", o.Name)
	assert.NotEmpty(t, o.URL)
	assert.True(t, o.Public())
	assert.NotEmpty(t, o.AttributedTo)
	assert.Contains(t, o.Extra, "commentsEnabled")

	// Not an event: ParseEvent says so with a typed error.
	_, err = p.ParseEvent(data)
	require.ErrorIs(t, err, wire.ErrUnsupported)

	// Inside a Create it is a remote object, not an error.
	create := []byte(`{"type":"Create","id":"https://framatube.org/videos/watch/x/activity","actor":"https://framatube.org/accounts/framasoft","object":` + string(data) + `}`)
	a, err := p.ParseActivity(create)
	require.NoError(t, err)
	require.NotNil(t, a.Object)
	assert.Equal(t, "Video", a.Object.Type)
	assert.Equal(t, o.ID, a.ObjectIRI)
}

func TestFixturePleromaNote(t *testing.T) {
	t.Parallel()
	o, err := testParser(t).ParseObject(fixture(t, "pleroma-comment-object.json"))
	require.NoError(t, err)
	assert.Equal(t, "Note", o.Type)
	assert.Equal(t, "https://fedi.absturztau.be/users/dqn", o.AttributedTo)
	assert.Equal(t, "https://fedi.absturztau.be/contexts/4adddb80-0236-4e03-8a83-94be817b5dbe", o.Context)
	assert.Contains(t, o.Content, "#animeirl")
	assert.NotContains(t, o.Content, "class='attachment'")
	require.Len(t, o.Attachments, 1)
	assert.Contains(t, o.Attachments[0], "p5d85wsralb61.jpg")
	assert.Contains(t, o.Extra, "conversation")
}

func TestFixtureMastodon(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	actor, err := p.ParseActor(fixture(t, "mastodon-actor.json"))
	require.NoError(t, err)
	a := actor.Actor
	assert.Equal(t, identity.TypePerson, a.Type)
	assert.Equal(t, "peertube", a.Username)
	assert.Equal(t, "PeerTube", a.DisplayName)
	assert.Equal(t, "framapiaf.org", a.Domain)
	assert.Equal(t, "https://framapiaf.org/@peertube", a.URL)
	assert.Equal(t, "https://framapiaf.org/inbox", a.SharedInbox)
	assert.Equal(t, "https://framapiaf.org/users/peertube#main-key", a.PublicKeyID)
	assert.Contains(t, a.PublicKeyPEM, "BEGIN PUBLIC KEY") // SPKI
	_, err = wire.ParsePublicKeyPEM(a.PublicKeyPEM)
	require.NoError(t, err)
	assert.NotEmpty(t, a.AvatarURL)
	assert.False(t, a.ManuallyApprovesFollowers)
	assert.Contains(t, actor.Extra, "featured")

	follow, err := p.ParseActivity(fixture(t, "mastodon-follow-activity.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeFollow, follow.Type)
	assert.NotEmpty(t, follow.ID)
	assert.NotEmpty(t, follow.Actor)
	assert.NotEmpty(t, follow.ObjectIRI)

	accept, err := p.ParseActivity(fixture(t, "mastodon-accept-activity.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeAccept, accept.Type)
	assert.Equal(t, "http://mobilizon.test/@thomas0", accept.Actor)
	require.NotNil(t, accept.Activity)
	assert.Equal(t, wire.TypeFollow, accept.Activity.Type)
	assert.Equal(t, "http://mobilizon.test/follows/fdfds", accept.ObjectIRI)
	assert.Equal(t, "http://mobilizon.test/@thomas1", accept.Activity.Actor)
	assert.Equal(t, "http://mobilizon.test/@thomas0", accept.Activity.ObjectIRI)
	assert.Contains(t, accept.Extra, "nickname")

	ann, err := p.ParseActivity(fixture(t, "mastodon-announce.json"))
	require.NoError(t, err)
	assert.Equal(t, wire.TypeAnnounce, ann.Type)
	assert.Equal(t, "https://framapiaf.org/users/peertube/statuses/104584600044284729", ann.ObjectIRI)
	assert.True(t, ann.Public())
	assert.Equal(t, time.Date(2018, 2, 17, 19, 39, 15, 0, time.UTC), ann.Published)
}

func TestFixtureDiscovery(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	ni, err := p.ParseNodeInfo(fixture(t, "nodeinfo/data.json"))
	require.NoError(t, err)
	assert.Equal(t, "2.1", ni.Version)
	assert.Equal(t, "Mobilizon", ni.Software.Name)
	assert.Equal(t, "5.1.0", ni.Software.Version)
	assert.Equal(t, []string{"activitypub"}, ni.Protocols)
	assert.True(t, ni.OpenRegistrations)
	assert.Equal(t, 9204, ni.Usage.Users.Total)
	assert.Equal(t, 7545, ni.Usage.LocalPosts)

	links, err := p.ParseJRD(fixture(t, "nodeinfo/wp-event-federation.json"))
	require.NoError(t, err)
	assert.Equal(t, "https://event-federation.eu/wp-json/activitypub/1.0/nodeinfo", links.Link("http://nodeinfo.diaspora.software/ns/schema/2.0", "").Href)
	assert.Equal(t, "https://event-federation.eu/actor-relay", links.Link("https://www.w3.org/ns/activitystreams#Application", "").Href)

	wf, err := p.ParseJRD(fixture(t, "webfinger/gancio-webfinger.json"))
	require.NoError(t, err)
	assert.Equal(t, "acct:gancio@demo.gancio.org", wf.Subject)
	assert.Equal(t, "https://demo.gancio.org/federation/u/gancio", wf.Link("self", wire.ContentType).Href)
}
