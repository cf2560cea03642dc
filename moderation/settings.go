package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// The instance's settings, kept beside its rules (Setting keys).
const (
	SettingName          = "instance.name"
	SettingDescription   = "instance.description"
	SettingRegistrations = "instance.registrations"
)

// Limits of the instance's settings.
const (
	MaxInstanceName        = 100
	MaxInstanceDescription = 2000
)

// Registrations is how new accounts are taken.
type Registrations string

// Registration modes. "" leaves the server's configuration in force.
const (
	RegistrationsOpen     Registrations = "open"
	RegistrationsApproval Registrations = "approval" // an administrator approves each new account
	RegistrationsClosed   Registrations = "closed"
)

// InstanceSettings are what an administrator sets for the instance in
// its admin pages. An empty field is unset: the server's configuration
// (flags) applies.
type InstanceSettings struct {
	Name          string // plain text, at most MaxInstanceName bytes
	Description   string // plain text, at most MaxInstanceDescription bytes
	Registrations Registrations
}

// Settings returns the instance's settings; anyone may read them.
func (s *Service) Settings(ctx context.Context) (InstanceSettings, error) {
	var out InstanceSettings
	for key, dst := range map[string]*string{SettingName: &out.Name, SettingDescription: &out.Description,
		SettingRegistrations: (*string)(&out.Registrations)} {
		st, err := s.store.GetSetting(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return InstanceSettings{}, fmt.Errorf("moderation: settings: %w", err)
		default:
			*dst = st.Value
		}
	}
	return out, nil
}

// SetSettings replaces the instance's settings; only admins may. A
// field error (ErrInvalid) changes nothing.
func (s *Service) SetSettings(ctx context.Context, accountID string, in InstanceSettings) (InstanceSettings, error) {
	a, err := s.admin(ctx, accountID)
	if err != nil {
		return InstanceSettings{}, fmt.Errorf("moderation: set settings: %w", err)
	}
	name, err := cleanText("name", strings.TrimSpace(in.Name), MaxInstanceName)
	if err != nil {
		return InstanceSettings{}, err
	}
	if strings.ContainsAny(name, "\r\n") {
		return InstanceSettings{}, fielderr.New("name", "is one line")
	}
	desc, err := cleanText("description", strings.TrimSpace(in.Description), MaxInstanceDescription)
	if err != nil {
		return InstanceSettings{}, err
	}
	switch in.Registrations {
	case "", RegistrationsOpen, RegistrationsApproval, RegistrationsClosed:
	default:
		return InstanceSettings{}, fielderr.New("registrations", "must be open, approval or closed")
	}
	now := s.clock()
	err = storage.InTxAs(ctx, s.store, func(_ storage.Tx, st Store) error {
		for _, kv := range [][2]string{{SettingName, name}, {SettingDescription, desc}, {SettingRegistrations, string(in.Registrations)}} {
			if err := st.PutSetting(ctx, &Setting{Key: kv[0], Value: kv[1], UpdatedAt: now, UpdatedBy: a.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return InstanceSettings{}, fmt.Errorf("moderation: set settings: %w", err)
	}
	return InstanceSettings{Name: name, Description: desc, Registrations: in.Registrations}, nil
}
