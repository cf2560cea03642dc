package groups

import (
	"context"
	"time"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// TodoList is a group's list of things to do (a TodoList on the wire,
// WIRE.md §2.10).
type TodoList struct {
	ID        string
	APID      string // BaseURL/todo-lists/{id} for local lists
	GroupID   string
	CreatorID string
	Title     string // plain text
	Local     bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Todo is an item of a todo list (a Todo on the wire; its due date and
// assignee are not federated, as in Mobilizon).
type Todo struct {
	ID         string
	APID       string // BaseURL/todos/{id} for local todos
	ListID     string
	GroupID    string
	CreatorID  string
	Title      string // plain text
	Done       bool
	DueAt      time.Time // zero: none
	AssigneeID string    // a member's actor id; "" when nobody
	Local      bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TodoListInput is a new todo list.
type TodoListInput struct {
	Title  string // required
	Remote Remote
}

// TodoInput is a new todo.
type TodoInput struct {
	Title      string    // required
	DueAt      time.Time // optional
	AssigneeID string    // optional; a member of the group
	Done       bool
	Remote     Remote
}

// TodoUpdate changes a todo; nil fields stay as they are. A pointer to
// the zero time removes the due date, to "" the assignee.
type TodoUpdate struct {
	Title      *string
	Done       *bool
	DueAt      *time.Time
	AssigneeID *string
}

// CreateTodoList adds a todo list to a group (PermTodoListCreate).
func (s *Service) CreateTodoList(ctx context.Context, actorID, groupID string, in TodoListInput) (*TodoList, error) {
	title, err := s.title("title", in.Title)
	if err != nil {
		return nil, wrap("create todo list", err)
	}
	var l *TodoList
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		a, err := s.act(ctx, st, groupID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoListCreate); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/todo-lists/")
		if err != nil {
			return err
		}
		l = &TodoList{ID: o.id, APID: o.apID, GroupID: groupID, CreatorID: o.author, Title: title, Local: o.local,
			CreatedAt: o.at, UpdatedAt: o.at}
		if err := st.CreateTodoList(ctx, l); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: TodoListCreated, ActorID: actorID, Group: a.group, TodoList: l})
	})
	if err != nil {
		return nil, wrap("create todo list", err)
	}
	return l, nil
}

// RenameTodoList changes a list's title (PermTodoListUpdate).
func (s *Service) RenameTodoList(ctx context.Context, actorID, listID, title string) (*TodoList, error) {
	t, err := s.title("title", title)
	if err != nil {
		return nil, wrap("rename todo list", err)
	}
	var out *TodoList
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		l, a, err := s.listFor(ctx, st, listID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoListUpdate); err != nil {
			return err
		}
		l.Title, l.UpdatedAt = t, s.clock()
		if err := st.UpdateTodoList(ctx, l); err != nil {
			return err
		}
		out = l
		return s.emit(ctx, tx, Change{Kind: TodoListUpdated, ActorID: actorID, Group: a.group, TodoList: l})
	})
	if err != nil {
		return nil, wrap("rename todo list", err)
	}
	return out, nil
}

// DeleteTodoList deletes a list with its todos (PermTodoListDelete).
func (s *Service) DeleteTodoList(ctx context.Context, actorID, listID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		l, a, err := s.listFor(ctx, st, listID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoListDelete); err != nil {
			return err
		}
		if err := st.DeleteTodoList(ctx, l.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: TodoListDeleted, ActorID: actorID, Group: a.group, TodoList: l})
	})
	return wrap("delete todo list", err)
}

func (s *Service) listFor(ctx context.Context, st Store, listID, actorID string) (*TodoList, acting, error) {
	l, err := st.GetTodoList(ctx, listID)
	if err != nil {
		return nil, acting{}, err
	}
	a, err := s.act(ctx, st, l.GroupID, actorID)
	return l, a, err
}

// TodoList returns a list to a reader with PermTodoListAccess.
func (s *Service) TodoList(ctx context.Context, viewerID, listID string) (*TodoList, error) {
	l, err := s.store.GetTodoList(ctx, listID)
	if err == nil {
		err = s.mayRead(ctx, l.GroupID, viewerID, PermTodoListAccess)
	}
	if err != nil {
		return nil, wrap("todo list", err)
	}
	return l, nil
}

// TodoLists lists a group's todo lists, oldest first, to a reader with
// PermTodoListAccess; paged as Members.
func (s *Service) TodoLists(ctx context.Context, viewerID, groupID string, after storage.Cursor, limit int) ([]TodoList, storage.Cursor, error) {
	if err := s.mayRead(ctx, groupID, viewerID, PermTodoListAccess); err != nil {
		return nil, storage.Cursor{}, wrap("todo lists", err)
	}
	limit = pageSize(limit)
	ls, err := s.store.ListTodoLists(ctx, groupID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("todo lists", err)
	}
	return ls, pageCursor(ls, limit, func(l TodoList) (time.Time, string) { return l.CreatedAt, l.ID }), nil
}

// checkAssignee accepts "" or a member of the group.
func (s *Service) checkAssignee(ctx context.Context, st Store, groupID, assigneeID string) error {
	if assigneeID == "" {
		return nil
	}
	role, err := roleOf(ctx, st, groupID, assigneeID)
	if err != nil {
		return err
	}
	if !IsMember(role) {
		return fielderr.New("assignee_id", "is not a member of the group")
	}
	return nil
}

// CreateTodo adds a todo to a list (PermTodoCreate), at most
// MaxTodosPerList per list.
func (s *Service) CreateTodo(ctx context.Context, actorID, listID string, in TodoInput) (*Todo, error) {
	title, err := s.title("title", in.Title)
	if err != nil {
		return nil, wrap("create todo", err)
	}
	var t *Todo
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		l, a, err := s.listFor(ctx, st, listID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoCreate); err != nil {
			return err
		}
		n, err := st.CountTodos(ctx, l.ID)
		if err != nil {
			return err
		}
		if n >= MaxTodosPerList {
			return fielderr.New("todo_list", "holds at most %d todos", MaxTodosPerList)
		}
		if err := s.checkAssignee(ctx, st, l.GroupID, in.AssigneeID); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/todos/")
		if err != nil {
			return err
		}
		t = &Todo{ID: o.id, APID: o.apID, ListID: l.ID, GroupID: l.GroupID, CreatorID: o.author, Title: title,
			Done: in.Done, DueAt: utcMicro(in.DueAt), AssigneeID: in.AssigneeID, Local: o.local, CreatedAt: o.at, UpdatedAt: o.at}
		if err := st.CreateTodo(ctx, t); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: TodoCreated, ActorID: actorID, Group: a.group, TodoList: l, Todo: t})
	})
	if err != nil {
		return nil, wrap("create todo", err)
	}
	return t, nil
}

func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// UpdateTodo changes a todo: its title, status, due date or assignee
// (PermTodoUpdate).
func (s *Service) UpdateTodo(ctx context.Context, actorID, todoID string, in TodoUpdate) (*Todo, error) {
	var out *Todo
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		t, l, a, err := s.todoFor(ctx, st, todoID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoUpdate); err != nil {
			return err
		}
		if in.Title != nil {
			if t.Title, err = s.title("title", *in.Title); err != nil {
				return err
			}
		}
		set(&t.Done, in.Done)
		if in.DueAt != nil {
			t.DueAt = utcMicro(*in.DueAt)
		}
		if in.AssigneeID != nil && *in.AssigneeID != t.AssigneeID {
			if err := s.checkAssignee(ctx, st, t.GroupID, *in.AssigneeID); err != nil {
				return err
			}
			t.AssigneeID = *in.AssigneeID
		}
		t.UpdatedAt = s.clock()
		if err := st.UpdateTodo(ctx, t); err != nil {
			return err
		}
		out = t
		return s.emit(ctx, tx, Change{Kind: TodoUpdated, ActorID: actorID, Group: a.group, TodoList: l, Todo: t})
	})
	if err != nil {
		return nil, wrap("update todo", err)
	}
	return out, nil
}

// DeleteTodo deletes a todo (PermTodoDelete).
func (s *Service) DeleteTodo(ctx context.Context, actorID, todoID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		t, l, a, err := s.todoFor(ctx, st, todoID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermTodoDelete); err != nil {
			return err
		}
		if err := st.DeleteTodo(ctx, t.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: TodoDeleted, ActorID: actorID, Group: a.group, TodoList: l, Todo: t})
	})
	return wrap("delete todo", err)
}

func (s *Service) todoFor(ctx context.Context, st Store, todoID, actorID string) (*Todo, *TodoList, acting, error) {
	t, err := st.GetTodo(ctx, todoID)
	if err != nil {
		return nil, nil, acting{}, err
	}
	l, a, err := s.listFor(ctx, st, t.ListID, actorID)
	return t, l, a, err
}

// Todo returns a todo to a reader with PermTodoAccess.
func (s *Service) Todo(ctx context.Context, viewerID, todoID string) (*Todo, error) {
	t, err := s.store.GetTodo(ctx, todoID)
	if err == nil {
		err = s.mayRead(ctx, t.GroupID, viewerID, PermTodoAccess)
	}
	if err != nil {
		return nil, wrap("todo", err)
	}
	return t, nil
}

// Todos lists a list's todos, oldest first, to a reader with
// PermTodoAccess; paged as Members.
func (s *Service) Todos(ctx context.Context, viewerID, listID string, after storage.Cursor, limit int) ([]Todo, storage.Cursor, error) {
	l, err := s.store.GetTodoList(ctx, listID)
	if err == nil {
		err = s.mayRead(ctx, l.GroupID, viewerID, PermTodoAccess)
	}
	if err != nil {
		return nil, storage.Cursor{}, wrap("todos", err)
	}
	limit = pageSize(limit)
	ts, err := s.store.ListTodos(ctx, listID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("todos", err)
	}
	return ts, pageCursor(ts, limit, func(t Todo) (time.Time, string) { return t.CreatedAt, t.ID }), nil
}
