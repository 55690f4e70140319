// GOV.UK Frontend's components (installed at set-up time from npm into static/govuk).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
