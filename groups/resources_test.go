package groups_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// previewFixture is a fixture whose service has a fake previewer.
func previewFixture(t *testing.T) (*fixture, *fakePreviewer) {
	f := newFixture(t)
	p := &fakePreviewer{pages: map[string]groups.LinkPreview{
		"https://pad.example/p/festival": {Title: "Festival <b>pad</b>", Description: "Who brings what", Image: "https://pad.example/logo.png"},
		"https://calc.example/s/1":       {Title: "Budget sheet", Image: "javascript:alert(1)"},
	}}
	var err error
	f.svc, err = groups.New(groups.Config{Store: f.store, Actors: fakeActors{}, BaseURL: "https://events.example",
		Hook: f.hook, Now: f.now, Previewer: p})
	require.NoError(t, err)
	return f, p
}

func TestResourcePreview(t *testing.T) {
	t.Parallel()
	f, p := previewFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	for _, tc := range []struct {
		name string
		in   groups.ResourceInput
		want groups.Resource // Title, Summary, ImageURL
		// calls is the number of preview fetches expected.
		calls int
	}{
		{"filled from the page", groups.ResourceInput{Kind: groups.ResourcePad, URL: "https://pad.example/p/festival"},
			groups.Resource{Title: "Festival pad", Summary: "Who brings what", ImageURL: "https://pad.example/logo.png"}, 1},
		{"given title kept, summary filled", groups.ResourceInput{Kind: groups.ResourcePad, Title: "Our pad", URL: "https://pad.example/p/festival"},
			groups.Resource{Title: "Our pad", Summary: "Who brings what", ImageURL: "https://pad.example/logo.png"}, 1},
		{"nothing to fill: no fetch", groups.ResourceInput{Kind: groups.ResourcePad, Title: "T", Summary: "S", URL: "https://pad.example/p/festival"},
			groups.Resource{Title: "T", Summary: "S"}, 0},
		{"unsafe image dropped", groups.ResourceInput{Kind: groups.ResourceCalc, URL: "https://calc.example/s/1"},
			groups.Resource{Title: "Budget sheet"}, 1},
		{"failed fetch: the URL names it", groups.ResourceInput{Kind: groups.ResourceVisio, URL: "https://meet.example/room/42/"},
			groups.Resource{Title: "meet.example/room/42"}, 1},
		{"folders are not fetched", groups.ResourceInput{Kind: groups.ResourceFolder, Title: "Docs"},
			groups.Resource{Title: "Docs"}, 0},
		{"remote resources are not fetched", groups.ResourceInput{Kind: groups.ResourceLink, Title: "Remote",
			URL: "https://pad.example/p/festival", Remote: groups.Remote{APID: "https://remote.example/resource/1"}},
			groups.Resource{Title: "Remote"}, 0},
	} {
		calls := p.calls
		r, err := f.svc.CreateResource(f.ctx, alice, g.ID, tc.in)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want.Title, r.Title, tc.name)
		assert.Equal(t, tc.want.Summary, r.Summary, tc.name)
		assert.Equal(t, tc.want.ImageURL, r.ImageURL, tc.name)
		assert.Equal(t, tc.calls, p.calls-calls, tc.name)
	}

	// A new URL refreshes the image; a rename does not fetch.
	r, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceLink, Title: "Sheet", Summary: "s", URL: "https://calc.example/s/1"})
	require.NoError(t, err)
	calls := p.calls
	r, err = f.svc.UpdateResource(f.ctx, alice, r.ID, groups.ResourceUpdate{Title: new("Renamed")})
	require.NoError(t, err)
	assert.Equal(t, calls, p.calls)
	r, err = f.svc.UpdateResource(f.ctx, alice, r.ID, groups.ResourceUpdate{URL: new("https://pad.example/p/festival")})
	require.NoError(t, err)
	assert.Equal(t, "Renamed", r.Title, "an explicit title stays")
	assert.Equal(t, "https://pad.example/logo.png", r.ImageURL)
}

func TestResourceFolders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	other := f.group(alice, groups.Open)
	mk := func(kind groups.ResourceKind, parent string) *groups.Resource {
		t.Helper()
		in := groups.ResourceInput{Kind: kind, Title: string(kind), ParentID: parent}
		if kind != groups.ResourceFolder {
			in.URL = "https://x.example/" + string(kind)
		}
		r, err := f.svc.CreateResource(f.ctx, alice, g.ID, in)
		require.NoError(t, err)
		return r
	}
	// A chain of MaxFolderDepth folders: the last has no room inside.
	chain := []*groups.Resource{mk(groups.ResourceFolder, "")}
	for len(chain) < groups.MaxFolderDepth {
		chain = append(chain, mk(groups.ResourceFolder, chain[len(chain)-1].ID))
	}
	bottom := chain[len(chain)-1]
	link := mk(groups.ResourceLink, chain[len(chain)-2].ID)
	assert.Equal(t, "https://events.example/resource/"+link.ID, link.APID)
	rootLink := mk(groups.ResourcePad, "")
	otherFolder, err := f.svc.CreateResource(f.ctx, alice, other.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "F"})
	require.NoError(t, err)
	emptyFolder := mk(groups.ResourceFolder, "")

	before := f.hook.count()
	refused := []struct {
		name string
		do   func() error
	}{
		{"too deep", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "x", ParentID: link.ID})
			return err
		}},
		{"one level too deep", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceLink, Title: "x",
				URL: "https://x.example/", ParentID: bottom.ID})
			return err
		}},
		{"a link moved one level too deep", func() error { _, err := f.svc.MoveResource(f.ctx, alice, rootLink.ID, bottom.ID); return err }},
		{"missing parent", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "x", ParentID: "nope"})
			return err
		}},
		{"parent in another group", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "x", ParentID: otherFolder.ID})
			return err
		}},
		{"into itself", func() error { _, err := f.svc.MoveResource(f.ctx, alice, chain[0].ID, chain[0].ID); return err }},
		{"into its own subfolder", func() error { _, err := f.svc.MoveResource(f.ctx, alice, chain[0].ID, chain[2].ID); return err }},
		{"into a link", func() error { _, err := f.svc.MoveResource(f.ctx, alice, rootLink.ID, link.ID); return err }},
		{"a deep tree under a folder", func() error { _, err := f.svc.MoveResource(f.ctx, alice, chain[0].ID, emptyFolder.ID); return err }},
		{"a folder with a URL", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "x", URL: "https://x.example/"})
			return err
		}},
		{"a link without a URL", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceLink, Title: "x"})
			return err
		}},
		{"a link to a file", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceLink, Title: "x", URL: "file:///etc/passwd"})
			return err
		}},
		{"an unknown kind", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: "spreadsheet", Title: "x", URL: "https://x.example/"})
			return err
		}},
		{"a long summary", func() error {
			_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "x",
				Summary: strings.Repeat("s", groups.MaxResourceSummary+1)})
			return err
		}},
		{"an empty title", func() error {
			_, err := f.svc.UpdateResource(f.ctx, alice, rootLink.ID, groups.ResourceUpdate{Title: new(" ")})
			return err
		}},
	}
	for _, tc := range refused {
		assert.ErrorIs(t, tc.do(), groups.ErrInvalid, tc.name)
	}
	assert.Equal(t, before, f.hook.count(), "nothing changed")

	// Moves that fit.
	moved, err := f.svc.MoveResource(f.ctx, alice, rootLink.ID, link.ParentID)
	require.NoError(t, err)
	assert.Equal(t, link.ParentID, moved.ParentID)
	_, err = f.svc.MoveResource(f.ctx, alice, chain[3].ID, "")
	require.NoError(t, err, "a subtree to the root")
	n := f.hook.count()
	_, err = f.svc.MoveResource(f.ctx, alice, chain[3].ID, "")
	require.NoError(t, err)
	assert.Equal(t, n, f.hook.count(), "moving to where it is changes nothing")

	items, _, err := f.svc.Resources(f.ctx, alice, g.ID, "", storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.Len(t, items, 3, "chain[0], the empty folder, chain[3]")

	// Deleting a folder takes what is inside.
	require.NoError(t, f.svc.DeleteResource(f.ctx, alice, chain[3].ID))
	_, err = f.svc.Resource(f.ctx, alice, link.ID)
	assert.ErrorIs(t, err, groups.ErrNotFound)
}

func TestResourcesPerFolderLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		st, _ := storage.As[groups.Store](tx)
		for i := range groups.MaxResourcesPerFolder {
			id := "r" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
			if err := st.CreateResource(f.ctx, &groups.Resource{ID: id, GroupID: g.ID, CreatorID: alice,
				Kind: groups.ResourceFolder, Title: "F", Local: true, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	}))
	_, err := f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "one more"})
	var ve *groups.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "parent_id", ve.Field)
}
