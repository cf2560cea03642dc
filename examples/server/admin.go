package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/identity"
)

const adminUsage = `usage: server admin COMMAND [flags]

Commands, run against the instance's database (the server may be running):
  create-account --email E --password P --username U [--admin | --moderator]
                 an account, confirmed at once, with its first profile
  confirm        --email E                confirm an account's email
  promote        --email E [--role R]     set the role: admin (default), moderator or user
  suspend        --email E [--undo]       suspend an account, or lift the suspension
  reset-password --email E [--password P] set a new password (a random one is printed when P is empty)

The storage and base-URL flags of the server apply too (-data-dir,
-database-url, -base-url, and their CONVENE_* variables): use the same as
the running instance.`

// admin runs `server admin COMMAND`, as Mastodon's tootctl and
// GoToSocial's admin commands do. args[0] is "admin".
func admin(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		fmt.Fprintln(stdout, adminUsage)
		if len(args) < 2 {
			return errors.New("admin: a command is required")
		}
		return nil
	}
	cmd := args[1]
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stdout)
	cp := configFlags(fs, getenv)
	email := fs.String("email", "", "the account's email address")
	password := fs.String("password", "", "password")
	username := fs.String("username", "", "username of the first profile")
	makeAdmin := fs.Bool("admin", false, "create-account: give the account the admin role")
	makeMod := fs.Bool("moderator", false, "create-account: give the account the moderator role")
	role := fs.String("role", "admin", "promote: admin, moderator or user")
	undo := fs.Bool("undo", false, "suspend: lift the suspension")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin %s: unexpected arguments %q", cmd, fs.Args())
	}
	c := cp.finish()
	if *email == "" {
		return fmt.Errorf("admin %s: --email is required", cmd)
	}

	store, closeStore, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	defer closeStore()
	inst, err := convene.New(convene.Config{Store: store, BaseURL: c.baseURL})
	if err != nil {
		return err
	}
	id := inst.Identity

	if cmd == "create-account" {
		if *makeAdmin && *makeMod {
			return errors.New("admin create-account: --admin and --moderator exclude each other")
		}
		acct, profile, err := id.Register(ctx, identity.RegisterInput{Email: *email, Password: *password, Username: *username})
		if err != nil {
			return fmt.Errorf("admin create-account: %w", err)
		}
		if _, err := id.ConfirmAccount(ctx, acct.ID); err != nil {
			return fmt.Errorf("admin create-account: %w", err)
		}
		r := identity.RoleUser
		switch {
		case *makeAdmin:
			r = identity.RoleAdmin
		case *makeMod:
			r = identity.RoleModerator
		}
		if r != identity.RoleUser {
			if _, err := id.SetRole(ctx, acct.ID, r); err != nil {
				return fmt.Errorf("admin create-account: %w", err)
			}
		}
		fmt.Fprintf(stdout, "created %s (%s), confirmed, with profile %s\n", acct.Email, r, profile.APID)
		return nil
	}

	acct, err := id.GetAccountByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("admin %s: no account with email %q: %w", cmd, *email, err)
	}
	switch cmd {
	case "confirm":
		_, err = id.ConfirmAccount(ctx, acct.ID)
		if err == nil {
			fmt.Fprintf(stdout, "confirmed %s\n", acct.Email)
		}
	case "promote":
		r := identity.Role(strings.ToLower(*role))
		if r != identity.RoleAdmin && r != identity.RoleModerator && r != identity.RoleUser {
			return fmt.Errorf("admin promote: --role must be admin, moderator or user, not %q", *role)
		}
		_, err = id.SetRole(ctx, acct.ID, r)
		if err == nil {
			fmt.Fprintf(stdout, "%s is now %s\n", acct.Email, r)
		}
	case "suspend":
		_, err = id.Suspend(ctx, acct.ID, !*undo)
		if err == nil && *undo {
			fmt.Fprintf(stdout, "%s is no longer suspended\n", acct.Email)
		} else if err == nil {
			fmt.Fprintf(stdout, "%s is suspended\n", acct.Email)
		}
	case "reset-password":
		pw := *password
		if pw == "" {
			b := make([]byte, 18)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			pw = base64.RawURLEncoding.EncodeToString(b)
		}
		err = id.SetPassword(ctx, acct.ID, pw)
		if err == nil && *password == "" {
			fmt.Fprintf(stdout, "new password for %s: %s\n", acct.Email, pw)
		} else if err == nil {
			fmt.Fprintf(stdout, "password of %s changed\n", acct.Email)
		}
	default:
		fmt.Fprintln(stdout, adminUsage)
		return fmt.Errorf("admin: unknown command %q", cmd)
	}
	if err != nil {
		return fmt.Errorf("admin %s: %w", cmd, err)
	}
	return nil
}
