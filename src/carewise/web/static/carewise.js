// GOV.UK Frontend's components (error summary focus, radios, details...). Pages work without it.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
initAll();
