package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"codeberg.org/convene/convene/moderation"
)

// SettingsStore keeps what an administrator sets for the instance:
// *moderation.Service.
type SettingsStore interface {
	Settings(ctx context.Context) (moderation.InstanceSettings, error)
	SetSettings(ctx context.Context, accountID string, in moderation.InstanceSettings) (moderation.InstanceSettings, error)
}

// SettingsTTL is how long the instance's settings are reused between
// pages; the admin's changes through this UI apply at once.
const SettingsTTL = 10 * time.Second

// settingsCache remembers the settings for SettingsTTL.
type settingsCache struct {
	mu  sync.Mutex
	at  time.Time
	val moderation.InstanceSettings
	ok  bool
}

// settings returns the instance's settings; the zero value without a
// SettingsStore or when it fails (the configuration then applies, and
// the failure is logged).
func (w *Web) settings(ctx context.Context) moderation.InstanceSettings {
	if w.store == nil {
		return moderation.InstanceSettings{}
	}
	now := w.now()
	w.cache.mu.Lock()
	defer w.cache.mu.Unlock()
	if w.cache.ok && now.Sub(w.cache.at) < SettingsTTL && !now.Before(w.cache.at) {
		return w.cache.val
	}
	s, err := w.store.Settings(ctx)
	if err != nil {
		w.log.ErrorContext(ctx, "web: instance settings", "err", err)
		return moderation.InstanceSettings{}
	}
	w.cache.val, w.cache.at, w.cache.ok = s, now, true
	return s
}

// siteName is the instance's name: the admin's, else the configured one.
func (w *Web) siteName(ctx context.Context) string {
	if n := w.settings(ctx).Name; n != "" {
		return n
	}
	return w.name
}

// registrations says whether sign-ups are closed, and whether new
// accounts wait for approval: the admin's setting, else the
// configuration.
func (w *Web) registrations(ctx context.Context) (closed, approval bool) {
	switch w.settings(ctx).Registrations {
	case moderation.RegistrationsOpen:
		return false, false
	case moderation.RegistrationsApproval:
		return false, true
	case moderation.RegistrationsClosed:
		return true, false
	}
	return w.closed, w.approval
}

type adminSettingsData struct {
	Settings      moderation.InstanceSettings
	Registrations string // in force
	Error, Field  string
	Detail        string
}

// adminSettings is GET /admin/settings: the instance's name,
// description and registrations.
func (w *Web) adminSettings(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.store == nil {
		return errNotFound
	}
	s, err := w.store.Settings(r.Context())
	if err != nil {
		return err
	}
	w.renderSettings(rw, r, v, http.StatusOK, adminSettingsData{Settings: s})
	return nil
}

func (w *Web) renderSettings(rw http.ResponseWriter, r *http.Request, v *visit, status int, d adminSettingsData) {
	closed, approval := w.registrations(r.Context())
	switch {
	case closed:
		d.Registrations = "closed"
	case approval:
		d.Registrations = "approval"
	default:
		d.Registrations = "open"
	}
	w.render(rw, r, v, status, "admin_settings", "admin.settings", d)
}

// adminSaveSettings is POST /admin/settings.
func (w *Web) adminSaveSettings(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := adminOnly(v); err != nil {
		return err
	}
	if w.store == nil {
		return errNotFound
	}
	f := r.PostForm
	in := moderation.InstanceSettings{Name: f.Get("name"), Description: f.Get("description"),
		Registrations: moderation.Registrations(f.Get("registrations"))}
	if _, err := w.store.SetSettings(r.Context(), v.account.ID, in); err != nil {
		if field, detail, ok := formError(err); ok {
			w.renderSettings(rw, r, v, http.StatusBadRequest, adminSettingsData{Settings: in, Error: "form.invalid",
				Field: field, Detail: detail})
			return nil
		}
		return err
	}
	w.cache.mu.Lock()
	w.cache.ok = false
	w.cache.mu.Unlock()
	redirect(rw, r, "/admin/settings", "settings_saved")
	return nil
}
