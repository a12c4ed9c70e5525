#!/usr/bin/env Rscript
## Time metafor's REML fit on one data set from bench_rma.py, inside R (start-up excluded).
## Usage: Rscript rma_metafor.R data.json K VARIANT BUDGET_SECONDS out.json
##   VARIANT: default    rma.uni(yi, vi) + predict()            (metafor's own stopping rules)
##            converged  the same with control threshold/tol 1e-12 (the precision we match)
##            confint    converged + confint() (the Q-profile tau2 CI our rma also returns)
## Writes the per-fit seconds of each timed batch and the estimates, once the budget is spent
## or enough batches are done; bench_rma.py kills the process if not even one fit finishes.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
data <- fromJSON(args[1])[[args[2]]]
variant <- args[3]
budget <- as.numeric(args[4])
yi <- as.numeric(data$yi)
vi <- as.numeric(data$vi)

CONVERGED <- list(threshold = 1e-12, maxiter = 10000, tol = 1e-12)
one_fit <- switch(variant,
  default = function() { res <- rma.uni(yi, vi, method = "REML"); predict(res); res },
  converged = function() { res <- rma.uni(yi, vi, method = "REML", control = CONVERGED); predict(res); res },
  confint = function() {
    res <- rma.uni(yi, vi, method = "REML", control = CONVERGED)
    predict(res)
    confint(res, control = list(tol = 1e-12, maxiter = 10000))
    res
  },
  stop("unknown variant ", variant))

now <- function() as.numeric(Sys.time())
BATCH_SECONDS <- 0.2  # a batch long enough for Sys.time()'s resolution not to matter
MAX_BATCHES <- 7
started <- now()
t0 <- now(); res <- one_fit(); first <- now() - t0  # also the warm-up
per_batch <- max(1L, as.integer(ceiling(BATCH_SECONDS / max(first, 1e-6))))
per_fit <- numeric(0)
## written after every batch, so a run killed at the cap still leaves what it measured
save <- function() {
  out <- list(k = length(yi), variant = variant, first_fit = first, fits_per_batch = per_batch,
              per_fit = I(per_fit), tau2 = res$tau2, b = as.numeric(res$beta),
              metafor = as.character(packageVersion("metafor")),
              blas = extSoftVersion()[["BLAS"]], R = R.version.string)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA), args[5])
}
save()
while (length(per_fit) < MAX_BATCHES && now() - started < budget) {
  t0 <- now()
  for (i in seq_len(per_batch)) res <- one_fit()
  per_fit <- c(per_fit, (now() - t0) / per_batch)
  save()
}
