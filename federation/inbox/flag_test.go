package inbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
)

// TestFlag: another instance's report about a local actor lands in the
// moderation queue as a remote report; one about nothing of ours is
// accepted and dropped.
func TestFlag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	acct, _, err := e.id.Register(ctx, identity.RegisterInput{Email: "mod@events.example", Password: "a long enough password", Username: "mod"})
	require.NoError(t, err)
	_, err = e.id.ConfirmAccount(ctx, acct.ID)
	require.NoError(t, err)
	_, err = e.id.SetRole(ctx, acct.ID, identity.RoleAdmin)
	require.NoError(t, err)

	flag := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Flag",
		"id": "https://victim.example/flags/1", "actor": victim, "object": []string{e.alice.APID}, "content": "spam"}
	require.Equal(t, http.StatusAccepted, e.post(victim, flag))
	reports, _, err := e.mod.Reports(ctx, acct.ID, moderation.ReportFilter{})
	require.NoError(t, err)
	require.Len(t, reports, 1)
	assert.True(t, reports[0].Remote)
	assert.Equal(t, e.alice.ID, reports[0].TargetActorID)
	assert.Equal(t, "spam", reports[0].Comment)

	nothing := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Flag",
		"id": "https://victim.example/flags/2", "actor": victim, "object": []string{"https://elsewhere.example/u/x"}}
	require.Equal(t, http.StatusAccepted, e.post(victim, nothing))
	reports, _, err = e.mod.Reports(ctx, acct.ID, moderation.ReportFilter{})
	require.NoError(t, err)
	assert.Len(t, reports, 1)
}
