"""synth dashboard: sign-in, then the pages the viewer's role may open (st.navigation)."""

import streamlit as st

from synth.dashboard import ui
from synth.roles import ROLES

st.set_page_config(page_title="synth", page_icon=":material/forum:", layout="wide")

PAGES = {name: role.pages for name, role in ROLES.items()}  # who gets which pages: synth/roles.py
TITLES = {
    "surfacing": ("What's surfacing", ":material/trending_up:"),
    "themes": ("Themes", ":material/category:"),
    "regions": ("Regions and offices", ":material/map:"),
    "importer": ("Import", ":material/upload_file:"),
    "curate": ("Curate", ":material/edit:"),
    "actions": ("Actions", ":material/task_alt:"),
    "export": ("Export", ":material/download:"),
    "brief": ("You said, we did", ":material/campaign:"),
}

viewer = ui.viewer()
if viewer is None:
    # Every page's address shows the sign-in form, so a link to /themes?theme=7 asks for a
    # sign-in instead of "Page not found"; signing in reruns the same address with the pages.
    sign_in = str(ui.PAGES_DIR / "sign_in.py")
    home = st.Page(sign_in, title="Sign in", url_path="sign-in", default=True)
    page = st.navigation([home] + [st.Page(sign_in, title="Sign in", url_path=name) for name in TITLES],
                         position="hidden")
    # A role's first page lives at /, not at its name, and a page it may not open does not
    # exist for it: a link to either lands on its first page, with the link's filters.
    st.session_state["landing"] = lambda role: None if page.url_path in PAGES[role][1:] else home
    ui.keep_session_cookie()
else:
    pages = [st.Page(str(ui.PAGES_DIR / f"{name}.py"), title=TITLES[name][0], icon=TITLES[name][1], url_path=name)
             for name in PAGES[viewer.role]]
    # Every page keeps its own address, the role's first one too: "/" opens it, and a link to
    # /importer works for a coordinator (first page) and an admin (fourth) alike, where a
    # default page's own name answered "Page not found".
    first = PAGES[viewer.role][0]
    start = st.Page(str(ui.PAGES_DIR / f"{first}.py"), title=TITLES[first][0], url_path="start", default=True,
                    visibility="hidden")
    # A page of another role, opened by a link someone shared, says whose page it is: Streamlit's
    # "Page not found" said that a page that exists does not.
    others = [name for name in TITLES if name not in PAGES[viewer.role]]
    page = st.navigation([start, *pages, *(st.Page(str(ui.PAGES_DIR / "not_yours.py"), title=TITLES[name][0],
                                                   url_path=name, visibility="hidden") for name in others)])
    if page.url_path in others:
        st.session_state["refused_page"] = dict(title=TITLES[page.url_path][0], back=start,
                                                roles=[r for r, names in PAGES.items() if page.url_path in names])
    with st.sidebar:
        scope = f" · {', '.join(viewer.region_scope)}" if viewer.region_scope else ""
        st.caption(f"Signed in as **{ui.plain(viewer.username)}** ({ui.plain(viewer.role + scope)})")
        if st.button("Sign out", key="sign_out"):
            ui.sign_out()
        ui.jobs_panel()  # imports and refits running on any server or worker
        ui.keep_session_cookie()
page.run()
