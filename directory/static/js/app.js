// Starts the GOV.UK Frontend components (service navigation menu, exit this page, error
// summaries, character counts). Every page works without it: these are enhancements.
// The build replaces the import path with the fingerprinted file name.
import { initAll } from "__GOVUK_FRONTEND_JS__";

initAll();
