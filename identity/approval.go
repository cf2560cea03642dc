package identity

import (
	"context"
	"errors"
	"time"
)

// ErrAwaitingApproval: the account waits for an administrator's
// approval (an instance whose registrations need approval).
var ErrAwaitingApproval = errors.New("identity: account awaiting approval")

// MaxHeldListed bounds the accounts HeldAccounts returns.
const MaxHeldListed = 500

// ApprovalStore keeps the accounts that wait for an administrator's
// approval. Backends implement it next to Store (found with a type
// assertion, like GoneStore).
type ApprovalStore interface {
	// HoldAccount makes the account wait for approval from at (holding
	// again keeps the first time). ErrNotFound for an unknown account.
	HoldAccount(ctx context.Context, accountID string, at time.Time) error
	// ReleaseAccount ends the wait; releasing an account that does not
	// wait changes nothing.
	ReleaseAccount(ctx context.Context, accountID string) error
	// AccountHeldAt returns when the account began to wait; ErrNotFound
	// when it does not wait.
	AccountHeldAt(ctx context.Context, accountID string) (time.Time, error)
	// HeldAccounts returns the ids of the waiting accounts, oldest
	// first, at most limit.
	HeldAccounts(ctx context.Context, limit int) ([]string, error)
}

var errNoApprovalStore = errors.New("identity: the Store does not implement identity.ApprovalStore")

func (s *Service) approvalStore() (ApprovalStore, error) {
	as, ok := s.store.(ApprovalStore)
	if !ok {
		return nil, errNoApprovalStore
	}
	return as, nil
}

// HoldForApproval makes a new account wait for an administrator's
// approval: until ApproveAccount it cannot sign in (Authenticate answers
// ErrAwaitingApproval once the password is right) nor act as its
// profiles.
func (s *Service) HoldForApproval(ctx context.Context, accountID string) error {
	as, err := s.approvalStore()
	if err != nil {
		return err
	}
	return storeErr("hold account", as.HoldAccount(ctx, accountID, s.clock()))
}

// ApproveAccount lets a waiting account in.
func (s *Service) ApproveAccount(ctx context.Context, accountID string) error {
	as, err := s.approvalStore()
	if err != nil {
		return err
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return storeErr("approve account", err)
	}
	return storeErr("approve account", as.ReleaseAccount(ctx, accountID))
}

// AwaitingApproval returns the accounts that wait for approval, oldest
// first, at most MaxHeldListed.
func (s *Service) AwaitingApproval(ctx context.Context) ([]Account, error) {
	as, err := s.approvalStore()
	if err != nil {
		return nil, err
	}
	ids, err := as.HeldAccounts(ctx, MaxHeldListed)
	if err != nil {
		return nil, storeErr("accounts awaiting approval", err)
	}
	out := make([]Account, 0, len(ids))
	for _, id := range ids {
		a, err := s.store.GetAccount(ctx, id)
		if isStoreNotFound(err) {
			continue
		}
		if err != nil {
			return nil, storeErr("account "+id, err)
		}
		out = append(out, *a)
	}
	return out, nil
}

// held reports whether the account waits for approval (a Store without
// ApprovalStore holds nobody).
func held(ctx context.Context, st Store, accountID string) (bool, error) {
	as, ok := st.(ApprovalStore)
	if !ok {
		return false, nil
	}
	_, err := as.AccountHeldAt(ctx, accountID)
	if isStoreNotFound(err) {
		return false, nil
	}
	return err == nil, storeErr("account held", err)
}
