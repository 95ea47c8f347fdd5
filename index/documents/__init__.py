"""The documents an index is built from: the corpus folder, the documents uploaded through
the admin API and the bound on what one document may cost."""
