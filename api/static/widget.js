/*
 * citeqa chat widget. One tag on any page:
 *   <script src="https://YOUR-CITEQA/widget.js" data-title="Ask our documents"
 *           data-accent="#0a66c2" data-position="right" data-open="false" async></script>
 * The API is found next to this script (its src). Its own words are in English, Russian
 * or Kazakh: data-lang="en|ru|kk", else the page's lang, else the browser's language. Everything lives in an open Shadow DOM,
 * so the page's CSS cannot reach in and ours cannot leak out. Text from the service is
 * only ever set with textContent: answers, quotes and titles are never parsed as HTML.
 */
(() => {
  "use strict";

  const script =
    document.currentScript ||
    Array.from(document.querySelectorAll("script[src]")).find((s) =>
      /\/widget\.js(?:[?#]|$)/.test(s.src),
    );
  if (!script || script.dataset.citeqaMounted) return;
  script.dataset.citeqaMounted = "true";

  const base = new URL(".", script.src);
  const endpoint = new URL("v1/chat", base).href;

  const WORDS = {
    en: {
      title: "Ask the documents",
      hint: "Ask a question about the documents. Answers quote their sources.",
      ask: "Ask a question",
      send: "Send",
      sources: "Sources",
      source: "Source",
      open: "Open chat",
      close: "Close chat",
      messages: "Messages",
      working: "Searching the documents…",
      refusal: "I could not find this in the documents.",
      failed: "Something went wrong.",
      cut: "The answer was cut off. Please try again.",
      unreachable: "The assistant cannot be reached from this page.",
      status: "The assistant answered with an error",
    },
    ru: {
      title: "Вопрос по документам",
      hint: "Задайте вопрос о документах. Ответы цитируют источники.",
      ask: "Задайте вопрос",
      send: "Отправить",
      sources: "Источники",
      source: "Источник",
      open: "Открыть чат",
      close: "Закрыть чат",
      messages: "Сообщения",
      working: "Ищу в документах…",
      refusal: "В документах об этом ничего не нашлось.",
      failed: "Что-то пошло не так.",
      cut: "Ответ прервался. Попробуйте ещё раз.",
      unreachable: "С этой страницы помощник недоступен.",
      status: "Помощник ответил ошибкой",
    },
    kk: {
      title: "Құжаттар бойынша сұрақ",
      hint: "Құжаттар туралы сұрақ қойыңыз. Жауаптар дереккөздерден үзінді келтіреді.",
      ask: "Сұрақ қойыңыз",
      send: "Жіберу",
      sources: "Дереккөздер",
      source: "Дереккөз",
      open: "Чатты ашу",
      close: "Чатты жабу",
      messages: "Хабарламалар",
      working: "Құжаттардан іздеп жатырмын…",
      refusal: "Құжаттардан бұл туралы ештеңе табылмады.",
      failed: "Бірдеңе дұрыс болмады.",
      cut: "Жауап үзіліп қалды. Қайта көріңіз.",
      unreachable: "Бұл беттен көмекшіге қосылу мүмкін емес.",
      status: "Көмекші қатемен жауап берді",
    },
  };
  const lang = chooseLanguage([
    script.dataset.lang,
    document.documentElement.lang,
    ...(navigator.languages || [navigator.language]),
  ]);
  const t = WORDS[lang];
  const config = {
    title: (script.dataset.title || t.title).slice(0, 80),
    accent: validColor(script.dataset.accent) || "#0a66c2",
    position: script.dataset.position === "left" ? "left" : "right",
    open: script.dataset.open === "true",
  };

  const STYLES = `
:host {
  all: initial !important; display: block !important; position: fixed !important;
  bottom: 0 !important; z-index: 2147483000 !important; width: 0 !important;
  height: 0 !important; margin: 0 !important; padding: 0 !important; border: 0 !important;
  visibility: visible !important; opacity: 1 !important; transform: none !important;
}
:host([data-position="right"]) { right: 0 !important; }
:host([data-position="left"]) { left: 0 !important; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  --accent: ${config.accent};
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1d2330; letter-spacing: normal; text-align: left; direction: ltr;
}
button, input { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.launcher {
  position: fixed; bottom: 16px; width: 56px; height: 56px; border-radius: 50%;
  border: 0; padding: 0; display: flex; align-items: center; justify-content: center;
  background: var(--accent); color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25);
}
.launcher svg { width: 26px; height: 26px; fill: currentColor; display: block; }
.right .launcher, .right .panel { right: 16px; }
.left .launcher, .left .panel { left: 16px; }
.panel {
  position: fixed; bottom: 84px; width: min(380px, calc(100vw - 24px));
  height: min(560px, calc(100vh - 100px)); min-height: 240px; display: flex;
  flex-direction: column; background: #fff; border: 1px solid #d9dde5;
  border-radius: 12px; box-shadow: 0 12px 32px rgba(0,0,0,.22); overflow: hidden;
}
@media (max-width: 420px) {
  .right .panel, .left .panel { left: 12px; right: 12px; width: auto; }
}
.head {
  display: flex; align-items: center; gap: 8px; padding: 10px 8px 10px 14px;
  background: var(--accent); color: #fff;
}
.title { flex: 1; margin: 0; font-size: 15px; font-weight: 600; line-height: 1.3;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.close {
  width: 32px; height: 32px; border: 0; border-radius: 6px; background: transparent;
  color: #fff; font-size: 22px; line-height: 1; padding: 0;
}
.close:hover { background: rgba(255,255,255,.18); }
.log { flex: 1; overflow-y: auto; padding: 12px; position: relative; display: flex; flex-direction: column; gap: 10px;
  background: #f6f7f9; overscroll-behavior: contain; }
.hint { margin: 0; color: #5b6475; font-size: 13px; }
.msg { max-width: 92%; padding: 8px 11px; border-radius: 10px; overflow-wrap: anywhere;
  white-space: pre-wrap; }
.user { align-self: flex-end; background: var(--accent); color: #fff; }
.bot { align-self: flex-start; background: #fff; border: 1px solid #e1e4ea; }
.bot.error { border-color: #e0a3a3; background: #fff6f6; color: #8a1f1f; }
.answer { margin: 0; }
.short-answer { margin: 0 0 6px; font-weight: 700; }
.short-answer[hidden] { display: none; }
mark.short { background: #fff1a8; color: inherit; font-weight: 700; padding: 0 1px; }
.working { display: flex; align-items: center; gap: 8px; margin: 0; color: #5b6475; }
.dots { display: inline-flex; gap: 3px; }
.dots span { width: 6px; height: 6px; border-radius: 50%; background: var(--accent); opacity: .35; }
@media (prefers-reduced-motion: no-preference) {
  .dots span { animation: blink 1.2s infinite ease-in-out both; }
  .dots span:nth-child(2) { animation-delay: .2s; }
  .dots span:nth-child(3) { animation-delay: .4s; }
}
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.cite {
  display: inline-block; min-width: 18px; height: 18px; margin: 0 1px; padding: 0 4px;
  border: 0; border-radius: 9px; background: var(--accent); color: #fff; font-size: 11px;
  font-weight: 600; line-height: 18px; text-align: center; vertical-align: 1px;
}
.sources-label { margin: 10px 0 4px; font-size: 12px; font-weight: 600; color: #5b6475;
  text-transform: uppercase; letter-spacing: .04em; }
.sources { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column;
  gap: 6px; white-space: normal; }
.source { display: flex; gap: 8px; padding: 6px; border-radius: 8px; background: #f6f7f9; }
.source:focus, .source.flash { outline: 2px solid var(--accent); outline-offset: 0; }
.num { flex: none; width: 20px; height: 20px; border-radius: 50%; background: #e4e8ef;
  font-size: 11px; font-weight: 600; line-height: 20px; text-align: center; }
.source-body { min-width: 0; }
.source-title { display: block; font-weight: 600; font-size: 13px; color: #1d2330; }
a.source-title { color: var(--accent); text-decoration: underline; }
.quote { margin: 2px 0 0; padding-left: 8px; border-left: 3px solid #cfd5df; color: #3d4556;
  font-size: 13px; }
.form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e1e4ea; background: #fff; }
.input { flex: 1; min-width: 0; height: 38px; padding: 0 10px; border: 1px solid #c4cad6;
  border-radius: 8px; background: #fff; }
.input:focus { border-color: var(--accent); outline: none; box-shadow: 0 0 0 2px var(--accent); }
.send { flex: none; height: 38px; padding: 0 14px; border: 0; border-radius: 8px;
  background: var(--accent); color: #fff; font-weight: 600; }
.send:disabled { opacity: .55; cursor: default; }
@media (prefers-reduced-motion: no-preference) { .panel { animation: rise .16s ease-out; } }
@keyframes rise { from { opacity: 0; transform: translateY(8px); } }
`;

  let conversationId = null;
  let busy = false;
  let messageCount = 0;

  const host = document.createElement("citeqa-chat");
  host.setAttribute("data-position", config.position);
  const shadow = host.attachShadow({ mode: "open" });
  adoptStyles(shadow, STYLES);

  const root = el("div", { class: `root ${config.position}`, lang });
  const panel = el("section", {
    class: "panel",
    id: "citeqa-panel",
    role: "dialog",
    "aria-label": config.title,
    hidden: "",
  });
  const head = el("div", { class: "head" });
  const title = el("h2", { class: "title" }, config.title);
  const closeButton = el("button", { class: "close", type: "button", "aria-label": t.close }, "×");
  head.append(title, closeButton);
  const log = el("div", { class: "log", role: "log", "aria-label": t.messages });
  log.append(el("p", { class: "hint" }, t.hint));
  const form = el("form", { class: "form" });
  const input = el("input", {
    class: "input",
    type: "text",
    "aria-label": t.ask,
    placeholder: t.ask,
    maxlength: "4000",
    autocomplete: "off",
  });
  const send = el("button", { class: "send", type: "submit" }, t.send);
  form.append(input, send);
  panel.append(head, log, form);
  const launcher = el("button", {
    class: "launcher",
    type: "button",
    "aria-label": t.open,
    "aria-expanded": "false",
    "aria-controls": "citeqa-panel",
  });
  launcher.append(chatIcon());
  root.append(panel, launcher);
  shadow.append(root);

  launcher.addEventListener("click", () => (panel.hidden ? open(true) : close(false)));
  closeButton.addEventListener("click", () => close(true));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.stopPropagation();
      close(true);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  });

  mount();

  function mount() {
    if (!document.body) {
      document.addEventListener("DOMContentLoaded", mount, { once: true });
      return;
    }
    document.body.append(host);
    if (config.open) open(false);
  }

  function open(focus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (focus) input.focus();
  }

  function close(focusLauncher) {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (focusLauncher) launcher.focus();
  }

  async function ask(question) {
    busy = true;
    send.disabled = true;
    const hint = log.querySelector(".hint");
    if (hint) hint.remove();
    log.append(el("div", { class: "msg user" }, question));
    const reply = new Reply(++messageCount);
    log.append(reply.node);
    scrollToEnd();
    const body = { question };
    if (conversationId) body.conversation_id = conversationId;
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify(body),
        credentials: "omit",
      });
      if (!response.ok || !response.body) throw new Error(await errorMessage(response));
      await readEvents(response.body, (name, data) => {
        if (name === "meta") conversationId = data.conversation_id || conversationId;
        else if (name === "delta") reply.addText(data.text);
        else if (name === "citation") reply.addCitation(data);
        else if (name === "done") reply.finish(data);
        else if (name === "error") reply.fail((data.error && data.error.message) || t.failed);
        keepInView(reply);
      });
      if (!reply.done) reply.fail(t.cut);
    } catch (error) {
      reply.fail(error instanceof TypeError ? t.unreachable : String(error.message || error));
    } finally {
      busy = false;
      send.disabled = false;
      keepInView(reply);
    }
  }

  /** One assistant message: answer text with [n] markers, then the numbered sources. */
  class Reply {
    constructor(id) {
      this.id = id;
      this.text = "";
      this.citations = new Map();
      this.done = false;
      this.list = null;
      this.short = null; // {text, citation, start, end}: the words that answer, in a quote
      this.node = el("div", { class: "msg bot", "aria-busy": "true" });
      this.shortNode = el("p", { class: "short-answer", hidden: "" });
      this.answer = el("p", { class: "answer" });
      // Until the first words arrive (an extractive answer comes whole, after a second or
      // so), moving dots and a status line say that the documents are being searched.
      this.working = el("p", { class: "working", role: "status" });
      const dots = el("span", { class: "dots", "aria-hidden": "true" });
      dots.append(el("span", {}), el("span", {}), el("span", {}));
      this.working.append(dots, el("span", {}, t.working));
      this.node.append(this.working, this.shortNode, this.answer);
    }

    stopWorking() {
      if (this.working) this.working.remove();
      this.working = null;
    }

    addText(text) {
      this.stopWorking();
      this.text += String(text || "");
      this.render();
    }

    addCitation(citation) {
      if (!citation || !Number.isInteger(citation.n)) return;
      this.citations.set(citation.n, citation);
      this.render();
    }

    finish(body) {
      this.done = true;
      this.stopWorking();
      if (body.abstained === true) this.text = t.refusal;
      else if (typeof body.answer === "string") this.text = body.answer;
      for (const citation of body.citations || []) this.citations.set(citation.n, citation);
      this.short = validShortAnswer(body.short_answer, this.citations);
      if (this.short) {
        this.shortNode.textContent = this.short.text;
        this.shortNode.hidden = false;
      }
      this.render();
      this.node.setAttribute("aria-busy", "false");
    }

    fail(message) {
      this.done = true;
      this.stopWorking();
      this.node.classList.add("error");
      this.answer.textContent = message;
      this.node.setAttribute("aria-busy", "false");
    }

    render() {
      this.answer.replaceChildren();
      const marker = /\[(\d{1,3})\]/g;
      let last = 0;
      for (let match; (match = marker.exec(this.text)); ) {
        const n = Number(match[1]);
        if (!this.citations.has(n)) continue;
        this.answer.append(document.createTextNode(this.text.slice(last, match.index)));
        this.answer.append(this.markerButton(n));
        last = match.index + match[0].length;
      }
      this.answer.append(document.createTextNode(this.text.slice(last)));
      this.renderSources();
    }

    markerButton(n) {
      const citation = this.citations.get(n);
      const button = el("button", {
        class: "cite",
        type: "button",
        "aria-label": `${t.source} ${n}: ${String(citation.title || "")}`.trim(),
      }, String(n));
      button.addEventListener("click", () => {
        const item = shadow.getElementById(this.sourceId(n));
        if (!item) return;
        item.scrollIntoView({ block: "nearest", behavior: "smooth" });
        item.focus({ preventScroll: true });
        item.classList.add("flash");
        setTimeout(() => item.classList.remove("flash"), 1500);
      });
      return button;
    }

    sourceId(n) {
      return `citeqa-m${this.id}-s${n}`;
    }

    renderSources() {
      if (!this.citations.size) return;
      if (!this.list) {
        const label = el("p", { class: "sources-label", "aria-hidden": "true" }, t.sources);
        this.list = el("ol", { class: "sources", "aria-label": t.sources });
        this.node.append(label, this.list);
      }
      this.list.replaceChildren();
      const ordered = Array.from(this.citations.values()).sort((a, b) => a.n - b.n);
      for (const citation of ordered) {
        const item = el("li", { class: "source", id: this.sourceId(citation.n), tabindex: "-1" });
        const body = el("div", { class: "source-body" });
        const name = String(citation.title || citation.doc_id || t.source);
        const href = httpUrl(citation.source);
        const titleNode = href
          ? el("a", { class: "source-title", href, target: "_blank", rel: "noopener noreferrer" }, name)
          : el("span", { class: "source-title" }, name);
        body.append(titleNode, this.quoteNode(citation));
        item.append(el("span", { class: "num", "aria-hidden": "true" }, String(citation.n)), body);
        this.list.append(item);
      }
    }
  }

  /** The quote in curly quotes, the short answer's words in bold when they are in it. */
  Reply.prototype.quoteNode = function (citation) {
    const quote = String(citation.quote || "");
    const node = el("blockquote", { class: "quote" });
    const short = this.short;
    const from = short && short.citation === citation.n ? short.start - citation.start : -1;
    if (from < 0 || quote.slice(from, from + short.text.length) !== short.text) {
      node.textContent = `“${quote}”`;
      return node;
    }
    const to = from + short.text.length;
    node.append(
      document.createTextNode(`“${quote.slice(0, from)}`),
      el("mark", { class: "short" }, quote.slice(from, to)),
      document.createTextNode(`${quote.slice(to)}”`),
    );
    return node;
  };

  /** The body's short_answer when it is well formed and points into one of its quotes. */
  function validShortAnswer(short, citations) {
    if (!short || typeof short.text !== "string" || !short.text) return null;
    if (!Number.isInteger(short.citation) || !Number.isInteger(short.start)) return null;
    const citation = citations.get(short.citation);
    if (!citation || !Number.isInteger(citation.start)) return null;
    return short;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Show as much of the reply as fits, its start first: the answer, then its sources.
   *  (Scrolling to the end put the sources in view and the answer above it.) */
  function keepInView(reply) {
    const start = reply.node.offsetTop - 12; // .log is the offset parent
    log.scrollTop = Math.min(log.scrollHeight - log.clientHeight, Math.max(0, start));
  }

  /** Reads a text/event-stream body and calls onEvent(name, parsedJson) per event. */
  async function readEvents(stream, onEvent) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      const ready = done || !buffer.endsWith("\r") ? buffer : buffer.slice(0, -1);
      const rest = buffer.slice(ready.length);
      const blocks = ready.replace(/\r\n?/g, "\n").split("\n\n");
      buffer = (done ? "" : blocks.pop()) + rest;
      for (const block of blocks) dispatch(block, onEvent);
      if (done) return;
    }
  }

  function dispatch(block, onEvent) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch (_) {
      return;
    }
    onEvent(name, parsed || {});
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return String(body.error.message);
    } catch (_) {
      /* not JSON */
    }
    return `${t.status} (${response.status}).`;
  }

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z",
    );
    svg.append(path);
    return svg;
  }

  function adoptStyles(target, css) {
    if ("adoptedStyleSheets" in target && typeof CSSStyleSheet === "function") {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        target.adoptedStyleSheets = [sheet];
        return;
      } catch (_) {
        /* fall back to a style element */
      }
    }
    const style = document.createElement("style");
    style.textContent = css;
    target.append(style);
  }

  /** The first of `candidates` (language tags) that the widget speaks, else English. */
  function chooseLanguage(candidates) {
    for (const tag of candidates) {
      const primary = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
      if (Object.prototype.hasOwnProperty.call(WORDS, primary)) return primary;
    }
    return "en";
  }

  function validColor(value) {
    return value && window.CSS && window.CSS.supports("color", value) ? value : null;
  }

  function httpUrl(value) {
    try {
      const url = new URL(String(value || ""));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }
})();
