package web

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage"
)

// MaxMailListed bounds the messages of the mail admin page.
const MaxMailListed = 100

// adminOnly is a 404 to everyone but instance administrators: the admin
// pages do not admit they exist.
func adminOnly(v *visit) error {
	if !v.isAdmin() {
		return errNotFound
	}
	return nil
}

type adminHomeData struct {
	Settings, Federation, Delivery, Mail bool
}

// adminHome is GET /admin: the admin pages this server offers.
func (w *Web) adminHome(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "admin", "admin.title",
		adminHomeData{Settings: w.store != nil, Federation: w.policy != nil, Delivery: w.queue != nil, Mail: w.maillog != nil})
	return nil
}

type adminUsersData struct {
	Query    string
	Account  *identity.Account
	Profiles []identity.Profile
	Self     bool
	NotFound bool
	// Waiting are the accounts awaiting approval (approval mode).
	Waiting []identity.Account
	// All is a page of every account (no query), Next the following
	// page's cursor.
	All  []identity.Account
	Next string
}

// adminUsers is GET /admin/users?q=…: finds an account by email or by
// the handle of one of its profiles, to suspend or unsuspend it. (The
// storage contracts have no list of accounts.)
func (w *Web) adminUsers(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := adminUsersData{Query: q}
	if _, approval := w.registrations(ctx); approval {
		var err error
		if d.Waiting, err = w.inst.Identity.AwaitingApproval(ctx); err != nil {
			return err
		}
	}
	if q == "" {
		after, err := storage.ParseCursor(r.URL.Query().Get("after"))
		if err != nil {
			return errNotFound
		}
		var next storage.Cursor
		if d.All, next, err = w.inst.Identity.Accounts(ctx, after, identity.MaxAccountsListed); err != nil {
			return err
		}
		if !next.IsZero() {
			d.Next = next.String()
		}
	}
	if q != "" {
		var a *identity.Account
		var err error
		if !strings.HasPrefix(q, "@") && strings.Contains(q, "@") {
			a, err = w.inst.Identity.GetAccountByEmail(ctx, q)
		} else {
			a, err = w.accountOfHandle(r, q)
		}
		var ve *identity.ValidationError
		switch {
		case err == nil:
			d.Account, d.Self = a, a.ID == v.account.ID
			if d.Profiles, err = w.inst.Identity.ListProfiles(ctx, a.ID); err != nil {
				return err
			}
		case errors.Is(err, identity.ErrNotFound), errors.Is(err, storage.ErrNotFound), errors.As(err, &ve):
			d.NotFound = true
		default:
			return err
		}
	}
	w.render(rw, r, v, http.StatusOK, "admin_users", "admin.users", d)
	return nil
}

// accountOfHandle finds the account of a local profile's handle.
func (w *Web) accountOfHandle(r *http.Request, handle string) (*identity.Account, error) {
	user, host, _ := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
	if host != "" && !strings.EqualFold(host, w.inst.Identity.Host()) {
		return nil, identity.ErrNotFound
	}
	a, err := w.inst.Identity.GetLocalActor(r.Context(), strings.ToLower(user))
	if err != nil {
		return nil, err
	}
	if a.Type != identity.TypePerson {
		return nil, identity.ErrNotFound
	}
	p, err := w.inst.Identity.GetProfile(r.Context(), a.ID)
	if err != nil {
		return nil, err
	}
	return w.inst.Identity.GetAccount(r.Context(), p.AccountID)
}

// adminApprove lets an account that waits for approval in.
func (w *Web) adminApprove(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if err := w.inst.Identity.ApproveAccount(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	redirect(rw, r, "/admin/users", "user_approved")
	return nil
}

func (w *Web) adminSuspend(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.adminSetSuspended(rw, r, v, true)
}

func (w *Web) adminUnsuspend(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.adminSetSuspended(rw, r, v, false)
}

// adminSetSuspended suspends an account (its sessions stop working) or
// lifts the suspension. An admin cannot suspend their own account.
func (w *Web) adminSetSuspended(rw http.ResponseWriter, r *http.Request, v *visit, suspended bool) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == v.account.ID {
		return errForbidden
	}
	a, err := w.inst.Identity.Suspend(r.Context(), id, suspended)
	if err != nil {
		return err
	}
	msg := "user_unsuspended"
	if suspended {
		msg = "user_suspended"
	}
	redirect(rw, r, "/admin/users?q="+urlQueryEscape(a.Email), msg)
	return nil
}

type adminFederationData struct {
	AllowList bool
	Domains   []inbox.Domain
	// Known are the other instances this one knows, busiest first.
	Known  []identity.HostCount
	Domain string
	Error  string
	Detail string
}

// adminFederation is GET /admin/federation: domain blocks, allowed
// domains and allow-list mode.
func (w *Web) adminFederation(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.policy == nil {
		return errNotFound
	}
	return w.renderFederation(rw, r, v, http.StatusOK, adminFederationData{})
}

func (w *Web) renderFederation(rw http.ResponseWriter, r *http.Request, v *visit, status int, d adminFederationData) error {
	var err error
	if d.AllowList, err = w.policy.AllowListMode(r.Context()); err != nil {
		return err
	}
	if d.Domains, err = w.policy.ListDomains(r.Context()); err != nil {
		return err
	}
	if d.Known, err = w.inst.Identity.KnownHosts(r.Context()); err != nil {
		return err
	}
	w.render(rw, r, v, status, "admin_federation", "admin.federation", d)
	return nil
}

// adminAddDomain blocks or allows a domain.
func (w *Web) adminAddDomain(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.policy == nil {
		return errNotFound
	}
	domain := strings.TrimSpace(r.PostForm.Get("domain"))
	var err error
	switch inbox.DomainRule(r.PostForm.Get("rule")) {
	case inbox.RuleBlock:
		err = w.policy.BlockDomain(r.Context(), domain, w.now())
	case inbox.RuleAllow:
		err = w.policy.AllowDomain(r.Context(), domain, w.now())
	default:
		return errBadForm
	}
	if errors.Is(err, inbox.ErrInvalidDomain) {
		return w.renderFederation(rw, r, v, http.StatusBadRequest,
			adminFederationData{Domain: domain, Error: "admin.bad_domain", Detail: err.Error()})
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/admin/federation", "domain_saved")
	return nil
}

// adminRemoveDomain removes the rule on a domain.
func (w *Web) adminRemoveDomain(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.policy == nil {
		return errNotFound
	}
	err := w.policy.RemoveDomain(r.Context(), r.PostForm.Get("domain"))
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, inbox.ErrInvalidDomain) {
		redirect(rw, r, "/admin/federation", "domain_unknown")
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/admin/federation", "domain_removed")
	return nil
}

// adminSetMode switches allow-list mode.
func (w *Web) adminSetMode(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.policy == nil {
		return errNotFound
	}
	var on bool
	switch r.PostForm.Get("allow_list") {
	case "1":
		on = true
	case "0":
	default:
		return errBadForm
	}
	if err := w.policy.SetAllowListMode(r.Context(), on); err != nil {
		return err
	}
	redirect(rw, r, "/admin/federation", "mode_saved")
	return nil
}

// adminDelivery is GET /admin/delivery: the delivery queue and the
// failing hosts.
func (w *Web) adminDelivery(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.queue == nil {
		return errNotFound
	}
	st, err := w.queue.Stats(r.Context(), w.now())
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "admin_delivery", "admin.delivery", struct {
		Stats delivery.Stats
	}{st})
	return nil
}

// adminMail is GET /admin/mail: the newest mail of the file outbox.
func (w *Web) adminMail(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.maillog == nil {
		return errNotFound
	}
	es, err := w.maillog.List(r.Context(), MaxMailListed)
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "admin_mail", "admin.mail", es)
	return nil
}

// adminMailMessage is GET /admin/mail/{name}: one message, as text. Its
// links (confirmation, reset) are live: the page sends no referrer.
func (w *Web) adminMailMessage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.maillog == nil {
		return errNotFound
	}
	m, err := w.maillog.Read(r.PathValue("name"))
	if errors.Is(err, mail.ErrInvalid) || errors.Is(err, fs.ErrNotExist) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	rw.Header().Set("Referrer-Policy", "no-referrer")
	w.render(rw, r, v, http.StatusOK, "admin_mail_message", "admin.mail", m)
	return nil
}
