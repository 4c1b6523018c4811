"""A page the viewer's role does not get, opened by its address (a link someone shared):
say whose page it is and offer the viewer's own first page. Streamlit's "Page not found"
said that a page that exists does not."""

import streamlit as st

from synth.dashboard import ui

refused = st.session_state.get("refused_page") or {}
title = refused.get("title", "This page")
st.title(title)
roles = [ui.plural(2, r).removeprefix("2 ") for r in refused.get("roles", [])]
role = ui.viewer().role
st.info(f"The {title} page is for {ui.and_list(roles) or 'other roles'}, and you are signed in as "
        f"{'an' if role[0] in 'aeiou' else 'a'} {role}. Ask an admin if you need it.")
if (back := refused.get("back")) is not None:
    st.page_link(back, label=f"Go to {back.title}", icon=":material/arrow_forward:")
