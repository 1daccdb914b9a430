"""Entries into care that can trend: a local level and a local linear trend of monthly entries,
weighted by their evidence (:class:`EntryModel`).

The peer models and carewise's first forecast took the entry rate as the reference window's
average, so a council whose entries were rising was forecast flat and its ranges did not allow
for the rate moving. Here monthly entries (per 30.44 days) follow a local linear trend (Harvey,
*Forecasting, structural time series models and the Kalman filter*, 1989, ch. 2):

    y_t = L_t + e_t,          e_t ~ N(0, L_t)           (Poisson-like noise)
    L_t+1 = L_t + S_t + u_t,  u_t ~ N(0, q_level)
    S_t+1 = S_t + v_t,        v_t ~ N(0, q_slope)

fitted by the Kalman filter (forecast with the slope damped, :data:`DAMPING`); the two variances are chosen by maximum likelihood over a grid
(zero included, so a steady council gets a steady level), and the slope starts from a prior
centred on no change (sd 1% of the mean a month), which shrinks a trend seen in noisy months.
Each simulated future draws the level and slope at the origin from their filtered distribution
(the uncertainty of the estimate) and then lets them drift with the fitted variances (the
uncertainty of the future), so both are in the ranges. The same filter with no slope is the
local level (a level that only drifts); :func:`fit_trend` fits both and weights them by their
posterior probabilities, each run following one. Ages and first placements of entrants
are those seen in the window; the mix of them can follow recent months (recency weights with a
half-life, fixed or chosen by :func:`choose_half_life`) or a trend in shares (:func:`mix_at_end`),
both off by default: on the synthetic backtest neither changed the total's error beyond noise
(docs/forecasting.md, "The entrants' age mix").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DAYS_PER_MONTH = 365.25 / 12
SLOPE_PRIOR_SD = 0.01
"""Prior sd of the monthly change in entries, as a share of the mean (about 12% a year)."""
DAMPING = 0.85
"""Monthly damping of the slope in the forecast (Gardner and McKenzie's damped trend, 1985): the
change h months ahead is slope × (φ + φ² + … + φ^h), so a trend seen in the data carries on for a
few months and then levels off (1 would continue it undamped). Chosen on the synthetic backtest:
12-month error of the total 4.75% undamped, 4.54% at 0.95, 4.48% at 0.9, 4.42% at 0.85, 4.40% at
0.8 (5 councils × 13 quarter-end cuts, 300 runs); coverage of the 95% range 97–98.5% throughout."""
_GRID = (0.0, 0.02, 0.05, 0.1)
"""Candidate innovation sds as shares of the mean monthly entries (level; slope × 0.1)."""


@dataclass
class EntryTrend:
    """The filtered state at the end of the window and the fitted innovation variances."""

    level: float
    slope: float
    cov: np.ndarray
    q_level: float
    q_slope: float
    months: int
    mean: float

    def shrunk(self, towards: float, weight: float) -> EntryTrend:
        """The level pulled towards ``towards`` (entries a month) keeping ``weight`` of its own:
        level w × own + (1 − w) × towards, its variance (and covariance with the slope) × w —
        the normal posterior when the prior's variance makes w = τ² / (τ² + σ²)."""
        cov = self.cov.copy()
        cov[0, 0] *= weight
        cov[0, 1] *= weight
        cov[1, 0] *= weight
        return EntryTrend(level=weight * self.level + (1 - weight) * towards, slope=self.slope, cov=cov,
                          q_level=self.q_level, q_slope=self.q_slope, months=self.months, mean=self.mean)

    def central(self, months_ahead: np.ndarray) -> np.ndarray:
        """Expected entries per 30.44 days ``months_ahead`` after the origin (at least 0)."""
        return np.maximum(self.level + self.slope * _damped(np.asarray(months_ahead, dtype=float)), 0.0)

    def paths(self, months_ahead: np.ndarray, runs: int, rng: np.random.Generator) -> np.ndarray:
        """Entries per 30.44 days for each run at each point (len(months_ahead), runs): state
        drawn from its filtered distribution, then drifting with the fitted variances."""
        m = np.asarray(months_ahead, dtype=float)
        start = rng.multivariate_normal([self.level, self.slope], self.cov, size=runs, method="cholesky")
        level, slope = start[:, 0].copy(), start[:, 1].copy()
        out = np.empty((m.size, runs))
        done = 0.0
        for i, h in enumerate(m):
            step = max(h - done, 0.0)
            if step > 0:
                # advance by ``step`` months: the random walk's variance grows with the time elapsed
                level = level + slope * _damped(step) + rng.normal(0.0, np.sqrt(self.q_level * step), runs)
                slope = slope * DAMPING**step + rng.normal(0.0, np.sqrt(self.q_slope * step), runs)
                done = h
            out[i] = np.maximum(level, 0.0)
        return out


TREND_PRIOR = 0.5
"""Prior chance that a council's entries follow a trend rather than a level that only drifts.
Even odds: neither is presumed, the months seen decide (:class:`EntryModel`)."""


@dataclass
class EntryModel:
    """Monthly entries as two models weighted by how well each predicted the months seen
    (Bayesian model averaging; Hoeting, Madigan, Raftery and Volinsky, *Statistical Science*
    14(4), 1999): a **local level** (a level that drifts, no slope) and the **local linear
    trend**. The trend's weight is its posterior probability, from the Kalman filter's likelihood
    of each model (the trend's slope integrated over its prior) and :data:`TREND_PRIOR`.

    Why: a slope fitted to a steady council's noisy months still extrapolates, and the end of a
    fitted line is twice as uncertain as a mean — the steady councils paid for the trend. A real
    trend is followed once the months show it. Published figures agree that a trend should be
    earned (``benchmarks/peer/published_persistence.py``, DfE figures for 144 English councils,
    2019–2025): extending the last three years' line forecast the next year's starts 23.4% out on
    average, the end of that line 16.7%, their mean 16.2%, exponential smoothing 15.5%; and a
    council's yearly change is followed by an unrelated one (correlation +0.06 between consecutive
    years for children looked after, −0.28 for starts). On the synthetic backtest (20 councils,
    260 rolling cuts, 300 runs) the 12-month error went 5.05% → 4.88% (paired −0.17, se 0.21):
    steady councils better (small 7.47 → 6.31%, medium 3.84 → 3.39%, large 2.87 → 2.58%),
    growing and shrinking ones worse (6.76 → 7.21%, 4.33 → 4.91%), since their synthetic trends
    last six years; 95% coverage 95.4% → 95.0%."""

    trend: EntryTrend
    steady: EntryTrend
    trend_weight: float

    @property
    def level(self) -> float:
        """Entries a month at the origin, over both models."""
        return self.trend_weight * self.trend.level + (1 - self.trend_weight) * self.steady.level

    @property
    def slope(self) -> float:
        return self.trend_weight * self.trend.slope

    @property
    def cov(self) -> np.ndarray:
        """Covariance of (level, slope) over both models: within each, plus between their means."""
        w = self.trend_weight
        apart = np.array([self.trend.level - self.steady.level, self.trend.slope - self.steady.slope])
        return w * self.trend.cov + (1 - w) * self.steady.cov + w * (1 - w) * np.outer(apart, apart)

    def shrunk(self, towards: float, weight: float) -> EntryModel:
        """Both models' levels pulled towards ``towards`` (:meth:`EntryTrend.shrunk`)."""
        return EntryModel(self.trend.shrunk(towards, weight), self.steady.shrunk(towards, weight), self.trend_weight)

    def central(self, months_ahead: np.ndarray) -> np.ndarray:
        """Expected entries per 30.44 days ``months_ahead`` after the origin, over both models."""
        w = self.trend_weight
        return w * self.trend.central(months_ahead) + (1 - w) * self.steady.central(months_ahead)

    def paths(self, months_ahead: np.ndarray, runs: int, rng: np.random.Generator) -> np.ndarray:
        """Each run follows the trend with chance ``trend_weight``, else the drifting level, so the
        ranges carry the doubt about which is right."""
        follows_trend = rng.random(runs) < self.trend_weight
        trend, steady = self.trend.paths(months_ahead, runs, rng), self.steady.paths(months_ahead, runs, rng)
        return np.where(follows_trend[None, :], trend, steady)


def _damped(months: np.ndarray | float) -> np.ndarray | float:
    """Sum of the damped slope's multipliers over ``months`` (``months`` when undamped)."""
    if DAMPING >= 1.0:
        return months
    return DAMPING * (1 - DAMPING ** np.asarray(months)) / (1 - DAMPING)


def monthly_counts(start_days: np.ndarray, window_start: date, window_end: date) -> np.ndarray:
    """Entries per whole calendar month in the window, scaled to 30.44 days (partial months left out)."""
    if start_days.size == 0:
        return np.zeros(0)
    months = []
    y, m = window_start.year, window_start.month
    first_full = window_start.day == 1
    if not first_full:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    starts = start_days.astype("datetime64[D]")
    while True:
        lo = np.datetime64(date(y, m, 1))
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        hi = np.datetime64(date(ny, nm, 1))
        if hi - np.timedelta64(1, "D") > np.datetime64(window_end):
            break
        n = int(((starts >= lo) & (starts < hi)).sum())
        months.append(n * DAYS_PER_MONTH / int((hi - lo).astype(int)))
        y, m = ny, nm
    return np.array(months, dtype=float)


def _filter(y: np.ndarray, q_level: float, q_slope: float, slope_sd: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Kalman filter of the local linear trend: log-likelihood, final mean and covariance."""
    x = np.array([y[0], 0.0])
    P = np.diag([max(y[0], 1.0) * 4.0 + 1e-9, slope_sd**2])
    F = np.array([[1.0, 1.0], [0.0, 1.0]])
    Q = np.diag([q_level, q_slope])
    loglik = 0.0
    for t, obs in enumerate(y):
        if t:
            x = F @ x
            P = F @ P @ F.T + Q
        r = max(x[0], 1.0)
        s = P[0, 0] + r
        k = P[:, 0] / s
        resid = obs - x[0]
        if t:  # the first observation only sets the level
            loglik += -0.5 * (np.log(2 * np.pi * s) + resid**2 / s)
        x = x + k * resid
        P = P - np.outer(k, P[0, :])
    return loglik, x, P


def _most_likely(y: np.ndarray, mean: float, slope_grid: tuple[float, ...], slope_sd: float) -> tuple[float, EntryTrend]:
    """The state-space model with the most likely innovation variances on the grid (``slope_grid``
    (0.0,) and ``slope_sd`` 0: a local level, no slope), its log-likelihood and state at the origin."""
    best = None
    for a in _GRID:
        for b in slope_grid:
            q_l, q_s = (a * mean) ** 2, (0.1 * b * mean) ** 2
            ll, x, P = _filter(y, q_l, q_s, slope_sd)
            if best is None or ll > best[0] + 1e-9:
                best = (ll, x, P, q_l, q_s)
    ll, x, P, q_l, q_s = best  # type: ignore[misc]
    # one step on: the state at the origin, a month after the window's last full month is centred
    F = np.array([[1.0, 1.0], [0.0, 1.0]])
    x, P = F @ x, F @ P @ F.T + np.diag([q_l, q_s])
    P = (P + P.T) / 2 + np.eye(2) * 1e-9
    return ll, EntryTrend(level=float(x[0]), slope=float(x[1]), cov=P, q_level=q_l, q_slope=q_s, months=int(y.size),
                          mean=mean)


def fit_trend(y: np.ndarray) -> EntryModel | None:
    """The local level and the local linear trend, each with its most likely variances, weighted by
    their posterior probabilities (:class:`EntryModel`); None with fewer than 6 months."""
    if y.size < 6 or y.mean() <= 0:
        return None
    mean = float(y.mean())
    ll_trend, trend = _most_likely(y, mean, _GRID, SLOPE_PRIOR_SD * mean)
    ll_steady, steady = _most_likely(y, mean, (0.0,), 0.0)
    odds = float(np.exp(np.clip(ll_steady - ll_trend, -700.0, 700.0))) * (1 - TREND_PRIOR) / TREND_PRIOR
    return EntryModel(trend=trend, steady=steady, trend_weight=1.0 / (1.0 + odds))


MIX_SLOPE_PRIOR_SD = 0.25
"""Prior sd of each age band's yearly change in log-odds of an entrant being in it (a change of
±25% a year is unremarkable, ±75% is not): shrinks a trend in the mix seen in a few noisy years."""


def mix_at_end(band: np.ndarray, years_before: np.ndarray, n_bands: int,
               slope_sd: float = MIX_SLOPE_PRIOR_SD, iterations: int = 50) -> np.ndarray:
    """Shares of entrants by age band at the window's end from a multinomial logit of band on time
    (a trend in shares: P(band b at time t) ∝ exp(a_b + s_b t), t in years, 0 at the window's end),
    fitted by Newton's method with a N(0, ``slope_sd``²) prior on each slope (maximum a
    posteriori; a negligible one on the intercepts makes them identifiable). A band never seen
    keeps a share of about 0. The fitted line at the end of the window, not the window's average,
    which lags a mix that is changing by half the window."""
    n = np.zeros(n_bands)
    if band.size == 0:
        return n
    t = -np.asarray(years_before, dtype=float)
    k = 2 * n_bands
    prior = np.concatenate([np.full(n_bands, 1e-6), np.full(n_bands, 1.0 / slope_sd**2)])
    seen = np.bincount(band, minlength=n_bands)
    theta = np.concatenate([np.log(np.maximum(seen, 0.5) / band.size), np.zeros(n_bands)])
    onehot = np.eye(n_bands)[band]  # (entrants, bands)
    for _ in range(iterations):
        eta = theta[:n_bands][None, :] + t[:, None] * theta[n_bands:][None, :]
        p = np.exp(eta - eta.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        r = onehot - p
        grad = np.concatenate([r.sum(0), (r * t[:, None]).sum(0)]) - prior * theta
        # Hessian of the log-likelihood: −Σ_i (diag(p_i) − p_i p_iᵀ) ⊗ x_i x_iᵀ, x_i = (1, t_i)
        hess = np.zeros((k, k))
        for rows, wa in ((slice(0, n_bands), np.ones_like(t)), (slice(n_bands, k), t)):
            for cols, wb in ((slice(0, n_bands), np.ones_like(t)), (slice(n_bands, k), t)):
                w = wa * wb
                hess[rows, cols] = -(np.diag((w[:, None] * p).sum(0)) - (p * w[:, None]).T @ p)
        hess -= np.diag(prior)
        step = np.linalg.solve(hess, -grad)
        theta = theta + step
        if np.abs(step).max() < 1e-9:
            break
    intercept = theta[:n_bands]
    share = np.exp(intercept - intercept.max())
    return share / share.sum()


HALF_LIFE_CHOICES: tuple[float, ...] = (6.0, 12.0, 24.0)
"""Half-lives (months) the entrants' mix may be smoothed with, besides none (:func:`choose_half_life`)."""
MIX_BURN_IN_MONTHS = 12
"""Months of entrants before the first month a candidate half-life is scored on."""
MIX_EVIDENCE = 2.0
"""Log-likelihood a half-life must gain over none to be chosen (a likelihood ratio of e² ≈ 7.4)."""


def choose_half_life(band: np.ndarray, months_before: np.ndarray, n_bands: int,
                     choices: tuple[float, ...] = HALF_LIFE_CHOICES, evidence: float = MIX_EVIDENCE) -> float | None:
    """The half-life of the entrants' mix that predicted each month's entrants' age bands best
    from the months before it, or None (no recency weighting) unless one beats it by
    ``evidence`` log-likelihood units: exponential smoothing's parameter chosen by one-step-ahead
    likelihood (Hyndman et al., *Forecasting with exponential smoothing*, 2008, ch. 5), so a
    council whose mix is steady keeps the whole window (more data, less noise) and one whose mix
    moved follows its recent months. Each month m after :data:`MIX_BURN_IN_MONTHS` is predicted
    by Σ_{j<m} 0.5^((m − j) / H) × entrants of month j by band, plus half an entrant per band."""
    month = np.floor(np.asarray(months_before, dtype=float)).astype(np.int64)
    if band.size == 0:
        return None
    n_months = int(month.max()) + 1
    counts = np.zeros((n_months, n_bands))
    np.add.at(counts, (n_months - 1 - month, band), 1.0)  # oldest month first
    lag = np.arange(n_months)[:, None] - np.arange(n_months)[None, :]  # m − j
    scored = np.arange(n_months) >= MIX_BURN_IN_MONTHS

    def loglik(half_life: float | None) -> float:
        w = np.where(lag > 0, 1.0 if half_life is None else np.power(0.5, np.maximum(lag, 0) / (half_life or 1.0)), 0.0)
        pred = w @ counts + 0.5
        pred /= pred.sum(1, keepdims=True)
        return float((counts[scored] * np.log(pred[scored])).sum())

    base = loglik(None)
    best, best_ll = None, base + evidence
    for h in choices:
        ll = loglik(h)
        if ll > best_ll:
            best, best_ll = h, ll
    return best
