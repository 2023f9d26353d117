#!/usr/bin/env Rscript
# Writes MOGONET-format folders (1_tr.csv ... labels_te.csv, headerless, plus N_featname.csv) from miniACC, the real
# TCGA adrenocortical carcinoma multi-omics cohort bundled with Bioconductor's MultiAssayExperiment (Debian 12:
# apt-get install --no-install-recommends r-base-core r-bioc-multiassayexperiment; the data are TCGA's public
# level-3 data, curated by Zheng et al., Cancer Cell 2016). A generalisation check on a second real omics cohort,
# which no default was chosen on (twenty-first session). Usage: Rscript make_mini_acc.R OUT_DIR
#
# Views (the three assays measured on almost every patient; the RPPA and mutation assays cover too few):
#   1 = mRNA (RNASeq2GeneNorm, 198 genes, log2(x + 1)), 2 = copy number (gistict, GISTIC thresholded calls -2..2 of
#   the same 198 genes), 3 = miRNA (miRNASeqGene, 471 miRNAs, log2(x + 1)); features constant over the kept patients
#   are dropped (the pipeline refuses nothing for them, but they carry nothing).
# Patients: those with all three assays and the label; with a second argument `incomplete`, every labelled patient with
# at least one of the three assays, a missing assay written as a row of NA (training on incomplete samples, the
# twenty-second session; the features kept are those varying over the patients that have the view).
# Tasks (colData columns of Zheng et al.):
#   OUT_DIR/acc_c1ab: C1A / C1B, the mRNA-defined prognostic subtype (two classes): one dominant view (mRNA), the
#     situation the method is for;
#   OUT_DIR/acc_coc: COC1 / COC2 / COC3, the "cluster of clusters" integrating every platform (three classes);
#   OUT_DIR/acc_cimp: CIMP-high / -intermediate / -low, the DNA-methylation subtype, predicted here without any
#     methylation view (three classes): no view defines the label.
# The split written here (30 % test, stratified, seed 0) is only the folder's own split; the check uses
# `bmm compare --resplit`, which draws a new stratified split of all rows for every seed.
suppressMessages(library(MultiAssayExperiment))
data(miniACC)
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "mini_acc"
incomplete <- "incomplete" %in% args[-1]
# Optional extra views (twenty-second session, with `incomplete`): `rppa` adds 4 = reverse-phase protein array
# (33 proteins, measured on 46 patients), `mutations` adds the next = somatic mutation calls (97 genes, 0/1, 90 patients).
extra <- intersect(c("rppa", "mutations"), args[-1])
patient <- function(barcodes) substr(barcodes, 1, 12)
view <- function(name, transform) {
  e <- experiments(miniACC)[[name]]
  x <- if (is.matrix(e)) e else assay(e)
  colnames(x) <- patient(colnames(x))
  x <- x[, !duplicated(colnames(x)), drop = FALSE]
  transform(x)
}
views <- list(view("RNASeq2GeneNorm", function(x) log2(x + 1)),
              view("gistict", identity),
              view("miRNASeqGene", function(x) log2(x + 1)))
if ("rppa" %in% extra) views[[length(views) + 1]] <- view("RPPAArray", identity)
if ("mutations" %in% extra) views[[length(views) + 1]] <- view("Mutations", function(x) { x[is.na(x)] <- 0; x })
write_task <- function(folder, label_column) {
  labels <- colData(miniACC)[[label_column]]
  names(labels) <- rownames(colData(miniACC))
  ids <- Reduce(if (incomplete) union else intersect, lapply(views, colnames))
  ids <- ids[!is.na(labels[ids])]
  ids <- sort(ids)
  y <- as.integer(factor(labels[ids])) - 1L
  cat(folder, ":", length(ids), "patients; classes", paste(levels(factor(labels[ids])), table(y), sep = "=", collapse = " "), "\n")
  set.seed(0)
  test <- unlist(lapply(split(seq_along(y), y), function(rows) rows[sample.int(length(rows), round(0.3 * length(rows)))]))
  test <- sort(test)
  train <- setdiff(seq_along(y), test)
  dir.create(folder, recursive = TRUE, showWarnings = FALSE)
  for (v in seq_along(views)) {
    have <- ids %in% colnames(views[[v]])
    x <- matrix(NA_real_, length(ids), nrow(views[[v]]), dimnames = list(ids, rownames(views[[v]])))
    x[have, ] <- t(views[[v]][, ids[have], drop = FALSE])
    x <- x[, apply(x[have, , drop = FALSE], 2, function(col) length(unique(col)) > 1), drop = FALSE]
    if (anyNA(x[have, ])) stop(sprintf("view %d has missing values", v))
    if (!all(have)) cat("  view", v, ":", sum(!have), "patients lack it\n")
    write.table(x[train, ], file.path(folder, sprintf("%d_tr.csv", v)), sep = ",", row.names = FALSE, col.names = FALSE)
    write.table(x[test, ], file.path(folder, sprintf("%d_te.csv", v)), sep = ",", row.names = FALSE, col.names = FALSE)
    write.table(colnames(x), file.path(folder, sprintf("%d_featname.csv", v)), row.names = FALSE, col.names = FALSE, quote = FALSE)
    cat("  view", v, ":", ncol(x), "features\n")
  }
  write.table(y[train], file.path(folder, "labels_tr.csv"), row.names = FALSE, col.names = FALSE)
  write.table(y[test], file.path(folder, "labels_te.csv"), row.names = FALSE, col.names = FALSE)
}
write_task(file.path(out, "acc_c1ab"), "C1A.C1B")
write_task(file.path(out, "acc_coc"), "COC")
write_task(file.path(out, "acc_cimp"), "MethyLevel")
