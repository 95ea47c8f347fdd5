"""Building snapshots: the incremental builder, chunking and embedding of documents (here or
on a Ray cluster), the parts of long documents kept on disk, progress, and the background
refresher that rebuilds when asked."""
