"""You said, we did: the brief a coordinator sends partners, by region or program-wide."""

import streamlit as st

from synth import you_said
from synth.dashboard import ui

st.title("You said, we did")
st.caption("What partners raised in a period and what happened to each theme: its status and the decision. "
           "Themes raised by fewer than k partners are left out, and no office, person or quote appears, "
           "so it can go to every partner as it is.")
k = ui.settings().privacy_k
try:
    start, end, regions = ui.scoped().partner_brief_period()
    c1, c2, c3 = st.columns(3)
    region = c1.selectbox("Region", ["The whole program", *regions], key="brief_region",
                          help="A region's brief lists what that region's partners raised.")
    since = c2.date_input("From", start, key="brief_since")
    until = c3.date_input("To", end, key="brief_until")
    chosen = None if region == "The whole program" else region
    table, left_out, start, end, _ = ui.scoped().partner_brief(k, chosen, since, until)
except ui.SynthError as exc:
    ui.show_error(exc)
    st.stop()
scope = chosen or "the whole program"
text = you_said.markdown(table, scope, start, end, left_out, k)
c1, c2 = st.columns(2)
c1.download_button("Download (Markdown)", text, file_name="you-said-we-did.md", mime="text/markdown")
c2.download_button("Download (HTML)", you_said.html_page(table, scope, start, end, left_out, k),
                   file_name="you-said-we-did.html", mime="text/html")
st.markdown(text)
