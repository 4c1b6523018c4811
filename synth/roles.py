"""Roles: what each may see and do, and which pages it gets. The one place roles are defined;
the access layer, sign-in, actions and the page router all read this table.

    executive     sees every theme, region and office; owns and acts on themes
    director      sees only their own region(s), filters by office within them; acts on themes raised there
    coordinator   imports note exports, starts refits, sends partners the brief; no themes or statements
    admin         everything, plus curation, hidden themes, every alert and user management
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    sees_themes: bool  # themes, statements, notes and figures
    regional: bool  # limited to the regions in their user entry
    may: frozenset[str]  # import, refit, curate, manage_users, act, partner_brief, all_alerts, hidden_themes
    pages: tuple[str, ...]  # in sidebar order; the first is the role's home


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("executive", True, False, frozenset({"act", "partner_brief"}),
         ("surfacing", "themes", "regions", "actions", "export")),
    Role("director", True, True, frozenset({"act", "partner_brief"}),
         ("surfacing", "themes", "regions", "actions", "export")),
    Role("coordinator", False, False, frozenset({"import", "refit", "partner_brief"}),
         ("importer", "brief")),
    Role("admin", True, False, frozenset({"import", "refit", "curate", "manage_users", "act", "partner_brief",
                                          "all_alerts", "hidden_themes"}),
         ("surfacing", "themes", "regions", "importer", "curate", "actions", "export")),
)}


def may(role: str, action: str) -> bool:
    r = ROLES.get(role)
    return r is not None and action in r.may


def with_right(action: str) -> tuple[str, ...]:
    """The roles that may do `action`."""
    return tuple(name for name, r in ROLES.items() if action in r.may)
