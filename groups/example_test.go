package groups_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Example walks a moderated group through a join request, its approval
// and a promotion.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for _, name := range []string{"alice", "bob"} {
		_ = db.CreateActor(ctx, &identity.Actor{ID: name, APID: "https://events.example/@" + name,
			Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example"})
	}
	// identity.Service builds group actors with keys; a stand-in here.
	svc, _ := groups.New(groups.Config{Store: db, Actors: fakeActors{}, BaseURL: "https://events.example"})

	g, _ := svc.Create(ctx, "alice", groups.CreateInput{Username: "choir", DisplayName: "Choir", Openness: groups.Moderated})
	m, _ := svc.Join(ctx, g.ID, "bob", "")
	fmt.Println("bob asked:", m.Role)
	m, _ = svc.Approve(ctx, "alice", g.ID, "bob")
	fmt.Println("alice approved:", m.Role)
	fmt.Println("bob may create events:", svc.Authorize(ctx, g.ID, "bob", groups.PermEventCreate) == nil)
	m, _ = svc.ChangeRole(ctx, "alice", g.ID, "bob", groups.RoleModerator)
	fmt.Println("bob promoted:", m.Role)
	fmt.Println("bob may create events:", svc.Authorize(ctx, g.ID, "bob", groups.PermEventCreate) == nil)
	// Output:
	// bob asked: not_approved
	// alice approved: member
	// bob may create events: false
	// bob promoted: moderator
	// bob may create events: true
}

// ExampleCan reads the permission matrix.
func ExampleCan() {
	for _, r := range []groups.Role{groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember, groups.RoleInvited} {
		fmt.Println(r, groups.Can(r, groups.PermEventCreate), groups.Can(r, groups.PermDiscussionCreate))
	}
	// Output:
	// administrator true true
	// moderator true true
	// member false true
	// invited false false
}
