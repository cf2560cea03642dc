package groups_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

func TestPostVisibilityAndPublishing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod, member := f.person("mod"), f.person("member")
	g := f.group(mod, groups.Open)
	_, err := f.svc.Join(f.ctx, g.ID, member, "")
	require.NoError(t, err)
	mk := func(title string, vis groups.Visibility, draft bool) *groups.Post {
		p, err := f.svc.CreatePost(f.ctx, mod, g.ID, groups.PostInput{Title: title, Body: "<p>" + title + "</p>", Visibility: vis, Draft: draft})
		require.NoError(t, err)
		return p
	}
	public := mk("public", groups.Public, false)
	mk("unlisted", groups.Unlisted, false)
	mk("members", groups.Private, false)
	draft := mk("draft", "", true)
	assert.Equal(t, "https://events.example/p/"+public.ID, public.APID)
	assert.Equal(t, public.CreatedAt, public.PublishedAt)
	assert.True(t, draft.PublishedAt.IsZero())
	assert.Equal(t, groups.Public, draft.Visibility, `"" means public`)

	titles := func(viewer string) []string {
		ps, _, err := f.svc.Posts(f.ctx, viewer, g.ID, storage.Cursor{}, 0)
		require.NoError(t, err)
		var out []string
		for _, p := range ps {
			out = append(out, p.Title)
		}
		return out
	}
	assert.Equal(t, []string{"public"}, titles(""), "anonymous readers see the public list")
	assert.Equal(t, []string{"public", "unlisted", "members"}, titles(member))
	assert.Equal(t, []string{"public", "unlisted", "members", "draft"}, titles(mod))

	published, err := f.svc.PublishPost(f.ctx, mod, draft.ID)
	require.NoError(t, err)
	assert.False(t, published.Draft)
	assert.False(t, published.PublishedAt.IsZero())
	assert.Equal(t, []string{"public", "draft"}, titles(""))
	n := f.hook.count()
	again, err := f.svc.PublishPost(f.ctx, mod, draft.ID)
	require.NoError(t, err)
	assert.Equal(t, published.PublishedAt, again.PublishedAt)
	assert.Equal(t, n, f.hook.count(), "publishing twice changes nothing")

	before := f.hook.count()
	for _, tc := range []struct {
		name, field string
		in          groups.PostUpdate
	}{
		{"visibility", "visibility", groups.PostUpdate{Visibility: new(groups.Visibility("friends"))}},
		{"banner", "banner_url", groups.PostUpdate{BannerURL: new("javascript:alert(1)")}},
		{"empty body", "body", groups.PostUpdate{Body: new("<script></script>")}},
		{"huge body", "body", groups.PostUpdate{Body: new(strings.Repeat("a", groups.MaxPostSize+1))}},
		{"empty title", "title", groups.PostUpdate{Title: new("")}},
	} {
		_, err := f.svc.UpdatePost(f.ctx, mod, public.ID, tc.in)
		var ve *groups.ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
	}
	assert.Equal(t, before, f.hook.count())
	got, err := f.svc.Post(f.ctx, "", public.ID)
	require.NoError(t, err)
	assert.Equal(t, public, got, "refused updates changed nothing")

	up, err := f.svc.UpdatePost(f.ctx, mod, public.ID, groups.PostUpdate{Visibility: new(groups.Private)})
	require.NoError(t, err)
	assert.Equal(t, groups.Private, up.Visibility)
	_, err = f.svc.Post(f.ctx, "", public.ID)
	assert.ErrorIs(t, err, groups.ErrForbidden, "now members only")
}
