#!/usr/bin/env Rscript
## Live oracle: fit every case in a JSON file with metafor and write the results as JSON.
## Usage: Rscript oracle.R cases.json results.json
##
## Every rma.uni call is run converged (threshold/tol 1e-12): metafor's default control stops
## early (see DESIGN.md), and the engine is held to the exact optimum, not to metafor's stopping
## point. Doubles travel as "%.17g" strings so they round-trip bit for bit; R's NA becomes "NA".
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript oracle.R cases.json results.json")

CONVERGED <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)
CONFINT_CONVERGED <- list(tol = 1e-12, maxiter = 10000)

as_dbl <- function(x) as.numeric(unlist(x))
enc <- function(x) {
  if (is.null(x)) return(NULL)
  x <- as.numeric(unname(x))
  s <- sprintf("%.17g", x)
  s[is.na(x) & !is.nan(x)] <- "NA"
  I(s)
}

## value, warnings and error message of one call, without letting a warning abort it
attempt <- function(expr) {
  warns <- character(0)
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) structure(conditionMessage(e), class = "oracle_error")),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  failed <- inherits(value, "oracle_error")
  list(value = if (failed) NULL else value, error = if (failed) unclass(value) else NULL, warnings = I(warns))
}

fit_case <- function(cs) {
  out <- list(id = cs$id)
  if (!is.null(cs$measure)) {
    es <- attempt(do.call(escalc, c(list(measure = cs$measure), lapply(cs$data, as_dbl))))
    if (!is.null(es$error)) {
      out$escalc_error <- es$error
      return(out)
    }
    yi <- as.numeric(es$value$yi)
    vi <- as.numeric(es$value$vi)
  } else {
    yi <- as_dbl(cs$yi)
    vi <- as_dbl(cs$vi)
  }
  ## echoed so the Python side can check that R fitted exactly the numbers it was given
  out$yi <- enc(yi)
  out$vi <- enc(vi)

  ## rma.uni evaluates `mods` non-standardly, so it is passed only when there are moderators
  fit_args <- list(yi = yi, vi = vi, method = cs$method, test = cs$test, level = cs$level,
                   control = CONVERGED)
  mods <- NULL
  if (!is.null(cs$mods)) {
    mods <- do.call(cbind, lapply(cs$mods, as_dbl))
    fit_args$mods <- mods
  }
  fit <- attempt(do.call(rma.uni, fit_args))
  ## Fisher scoring can fail to reach threshold 1e-12 when the steps overshoot; halving the step
  ## length is metafor's own remedy (help(rma): stepadj), and it changes only the path, not the optimum
  for (stepadj in c(0.5, 0.1)) {
    if (is.null(fit$error) || !grepl("did not converge", fit$error)) break
    out$stepadj <- stepadj
    fit_args$control$stepadj <- stepadj
    fit <- attempt(do.call(rma.uni, fit_args))
  }
  out$warnings <- fit$warnings
  if (!is.null(fit$error)) {
    out$error <- fit$error
    return(out)
  }
  res <- fit$value
  out$method <- res$method
  out$test <- res$test
  out$k <- res$k
  out$p <- res$p
  out$b <- enc(res$beta)
  out$se <- enc(res$se)
  out$zval <- enc(res$zval)
  out$pval <- enc(res$pval)
  out$ci_lb <- enc(res$ci.lb)
  out$ci_ub <- enc(res$ci.ub)
  out$tau2 <- enc(res$tau2)
  out$se_tau2 <- enc(res$se.tau2)
  out$vt <- enc(res$vt)
  out$I2 <- enc(res$I2)
  out$H2 <- enc(res$H2)
  out$QE <- enc(res$QE)
  out$QEp <- enc(res$QEp)
  out$weights <- enc(weights(res))
  if (!is.null(mods)) {
    out$QM <- enc(res$QM)
    out$QMp <- enc(res$QMp)
    out$R2 <- enc(if (is.null(res$R2)) NA else res$R2)
    ## R2 compares tau2 with that of the model without moderators; the test needs it to tell
    ## a real R2 from 0/0 noise when both sit on the boundary
    fit_args$mods <- NULL
    null_fit <- attempt(do.call(rma.uni, fit_args))
    out$tau2_RE <- enc(if (is.null(null_fit$error)) null_fit$value$tau2 else NA)
  } else {
    pr <- predict(res)
    ## fixed-effect fits have no prediction interval; metafor then reports the CI
    out$pi_lb <- enc(if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb)
    out$pi_ub <- enc(if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub)
  }
  if (!(res$method %in% c("FE", "EE", "CE"))) {
    ci <- attempt(confint(res, control = CONFINT_CONVERGED))
    if (!is.null(ci$error)) {
      out$tau2_ci_error <- ci$error
    } else {
      out$tau2_ci <- enc(ci$value$random[1, 2:3])
      out$tau2_ci_warnings <- ci$warnings
    }
  }
  out
}

cases <- fromJSON(args[1], simplifyVector = FALSE)
started <- proc.time()[["elapsed"]]
results <- lapply(cases, function(cs) {
  t0 <- proc.time()[["elapsed"]]
  r <- fit_case(cs)
  r$seconds <- proc.time()[["elapsed"]] - t0
  r
})
elapsed <- proc.time()[["elapsed"]] - started
out <- list(
  metafor_version = as.character(packageVersion("metafor")),
  R_version = R.version.string,
  seconds = elapsed,
  results = results)
writeLines(toJSON(out, auto_unbox = TRUE, null = "null", pretty = FALSE), args[2])
