package storagetest_test

import (
	"context"
	"slices"

	"codeberg.org/convene/convene/groups"
)

// ---- discussion mail (groups.NotifyStore) -----------------------------

// A choice stays in memState.dmail when its group or profile is
// deleted, but is never seen again: dmailLive checks both still exist,
// as the SQL backends' cascades would have removed it.

func (s *memState) dmailLive(groupID, profileID string) bool {
	_, p := s.profiles[profileID]
	return s.liveGroup(groupID) && p
}

func (v *memView) SetDiscussionMail(ctx context.Context, groupID, profileID string, on bool) error {
	return v.write(ctx, func(s *memState) error {
		if !s.liveGroup(groupID) {
			return notFound("group", groupID)
		}
		if _, ok := s.profiles[profileID]; !ok {
			return notFound("profile", profileID)
		}
		key := [2]string{groupID, profileID}
		if on {
			s.dmail[key] = true
		} else {
			delete(s.dmail, key)
		}
		return nil
	})
}

func (v *memView) DiscussionMail(_ context.Context, groupID, profileID string) (bool, error) {
	s := v.read()
	return s.dmail[[2]string{groupID, profileID}] && s.dmailLive(groupID, profileID), nil
}

func (v *memView) DiscussionMailRecipients(_ context.Context, groupID string, limit int) ([]string, error) {
	s := v.read()
	var out []string
	for k := range s.dmail {
		if k[0] != groupID || !s.dmailLive(k[0], k[1]) {
			continue
		}
		if m, ok := s.members[k]; ok && groups.IsMember(m.Role) {
			out = append(out, k[1])
		}
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
