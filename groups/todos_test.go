package groups_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

func TestTodos(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	g := f.group(alice, groups.Open)
	_, err := f.svc.Join(f.ctx, g.ID, bob, "")
	require.NoError(t, err)

	l, err := f.svc.CreateTodoList(f.ctx, alice, g.ID, groups.TodoListInput{Title: "Festival prep"})
	require.NoError(t, err)
	assert.Equal(t, "https://events.example/todo-lists/"+l.ID, l.APID)
	due := time.Date(2026, 5, 1, 18, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))
	td, err := f.svc.CreateTodo(f.ctx, alice, l.ID, groups.TodoInput{Title: "Book the hall", DueAt: due, AssigneeID: bob})
	require.NoError(t, err)
	assert.Equal(t, "https://events.example/todos/"+td.ID, td.APID)
	assert.Equal(t, due.UTC().Truncate(time.Microsecond), td.DueAt)
	assert.Equal(t, bob, td.AssigneeID)
	assert.False(t, td.Done)

	got, err := f.svc.Todo(f.ctx, bob, td.ID)
	require.NoError(t, err)
	assert.Equal(t, td, got)

	done, err := f.svc.UpdateTodo(f.ctx, bob, td.ID, groups.TodoUpdate{Done: new(true), DueAt: new(time.Time{}), AssigneeID: new("")})
	require.NoError(t, err)
	assert.True(t, done.Done)
	assert.True(t, done.DueAt.IsZero())
	assert.Empty(t, done.AssigneeID)

	before := f.hook.count()
	_, err = f.svc.UpdateTodo(f.ctx, bob, td.ID, groups.TodoUpdate{AssigneeID: new(carol)})
	var ve *groups.ValidationError
	require.ErrorAs(t, err, &ve, "carol is not a member")
	assert.Equal(t, "assignee_id", ve.Field)
	_, err = f.svc.CreateTodo(f.ctx, bob, l.ID, groups.TodoInput{Title: "x", AssigneeID: carol})
	require.ErrorAs(t, err, &ve)
	_, err = f.svc.CreateTodo(f.ctx, bob, l.ID, groups.TodoInput{Title: ""})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "title", ve.Field)
	_, err = f.svc.CreateTodo(f.ctx, bob, "no-such-list", groups.TodoInput{Title: "x"})
	require.ErrorIs(t, err, groups.ErrNotFound)
	assert.Equal(t, before, f.hook.count())

	// The limit per list.
	require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		st, _ := storage.As[groups.Store](tx)
		for i := 1; i < groups.MaxTodosPerList; i++ {
			if err := st.CreateTodo(f.ctx, &groups.Todo{ID: l.ID + "-" + time.Duration(i).String(), ListID: l.ID, GroupID: g.ID,
				CreatorID: alice, Title: "t", Local: true, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	}))
	_, err = f.svc.CreateTodo(f.ctx, bob, l.ID, groups.TodoInput{Title: "one too many"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "todo_list", ve.Field)

	ts, next, err := f.svc.Todos(f.ctx, bob, l.ID, storage.Cursor{}, 100)
	require.NoError(t, err)
	assert.Len(t, ts, 100)
	assert.False(t, next.IsZero())

	require.NoError(t, f.svc.DeleteTodoList(f.ctx, alice, l.ID))
	_, err = f.svc.Todo(f.ctx, bob, td.ID)
	assert.ErrorIs(t, err, groups.ErrNotFound)
}
