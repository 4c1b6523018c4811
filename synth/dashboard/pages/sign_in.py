from synth.dashboard import ui

ui.sign_in_form()
