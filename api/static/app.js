// Meritmatch web page: plain JavaScript, no build step. Swedish by default, English switch.
// Every piece of data from the server is put in the page with textContent (never innerHTML).
"use strict";

const T = {
  sv: {
    "skip": "Hoppa till innehållet",
    "tagline": "Kompetenser från mikromeriter, kopplade till ESCO",
    "login.title": "Logga in med din API-nyckel", "login.label": "API-nyckel",
    "login.help": "Nyckeln får du av den som driver tjänsten. Den sparas bara i den här fliken.",
    "login.submit": "Logga in", "login.logout": "Logga ut",
    "login.as": "Inloggad som {role} ({name}).",
    "role.job_seeker": "Arbetssökande", "role.employer": "Arbetsgivare",
    "role.issuer": "Utfärdare", "role.platform": "Plattform", "role.admin": "Administratör",
    "js.title": "Min profil", "js.none": "Du har ingen profil än.",
    "js.consent": "Arbetsgivare får hitta min profil", "js.create": "Skapa min profil",
    "js.settings": "Synlighet", "js.email": "E-post (frivilligt)",
    "js.share": "Visa min e-post för arbetsgivare som hittar mig", "js.save": "Spara",
    "js.add": "Lägg till en mikromerit", "js.claim": "Kod från utfärdaren",
    "js.claimBtn": "Lägg till", "js.credentials": "Mina mikromeriter",
    "js.noCredentials": "Du har inga mikromeriter än.",
    "js.skills": "Mina kompetenser och vad som styrker dem",
    "js.suggestions": "Yrken och jobb som passar dig", "js.suggestBtn": "Visa förslag",
    "js.interest": "Vad vill du arbeta med? (frivilligt)", "js.interestHint": "t.ex. äldreomsorg",
    "js.audit": "Vem har sett min profil?", "js.auditBtn": "Visa",
    "js.noAudit": "Ingen arbetsgivare har sökt fram eller sett din profil.",
    "js.data": "Mina uppgifter", "js.export": "Ladda ner alla mina uppgifter",
    "js.delete": "Radera alla mina uppgifter",
    "js.confirmDelete": "Vill du radera din profil och alla dina uppgifter? Det går inte att ångra.",
    "js.saved": "Sparat.", "js.deleted": "Alla dina uppgifter är raderade.",
    "js.added": "Mikromeriten är tillagd.",
    "js.wallet": "Från din digitala plånbok (Open Badges 3.0 eller europeiskt digitalt intyg)",
    "js.walletFile": "Välj filen (.json)", "js.walletBtn": "Ladda upp och kontrollera",
    "js.walletAdded": "Tillagd: {label}", "js.walletRefused": "Kunde inte läggas till. Skäl: {reason}",
    "js.walletBadFile": "Filen kunde inte läsas.", "js.revoked": "återkallad av utfärdaren",
    "col.skill": "Kompetens", "col.evidence": "Styrks av", "col.strength": "Styrka",
    "strength.verified": "verifierad", "strength.unverified": "ej verifierad",
    "strength.self_declared": "egen uppgift",
    "sug.occupations": "Yrken", "sug.ads": "Jobbannonser", "sug.matched": "Du har",
    "sug.order": "Förslagen står i ordning efter hur väl de passar: kompetenser som är typiska för ett jobb väger mer än sådana som många jobb listar, och förslag som bygger på få av dina kompetenser kommer sist. Procenttalet är andelen av jobbets kärnkompetenser du har, helt eller delvis.",
    "sug.missing": "Saknas", "sug.partial": "Delvis", "sug.courses": "Kurser som ger kompetensen",
    "sug.jobSkills": "ger {n} av jobbets kompetenser",
    "sug.none": "Inga förslag: inget bygger på minst två av dina kompetenser än. Lägg till fler meriter eller kompetenser, eller skriv vad du vill arbeta med.",
    "em.title": "Hitta kandidater", "em.source": "Beskriv vad jobbet kräver",
    "em.occupation": "Ett yrke", "em.ad": "En annonstext", "em.skills": "Valda kompetenser",
    "em.occupationLabel": "Yrke (skriv för att söka)", "em.adLabel": "Annonstext",
    "em.skillLabel": "Kompetens (skriv för att söka)", "em.skillAdd": "Lägg till kompetens",
    "em.has": "Har", "em.mustHave": "Måste finnas", "em.remove": "Ta bort", "em.search": "Sök kandidater",
    "em.results": "{n} kandidater (av {total} som vill bli hittade)",
    "em.noResults": "Inga kandidater hittades.", "em.candidate": "Kandidat {id}",
    "score.core": "styrker {held} av jobbets {total} kärnkompetenser",
    "score.corePartial": "styrker {held} av jobbets {total} kärnkompetenser, {partial} delvis",
    "em.adRead": "Annonsen lästes som {n} kompetenser (ta bort det som inte hör dit)",
    "em.merit": "meriterande", "em.remove": "Ta bort",
    "score.help": "Procenten är hur stor del av jobbets kärnkompetenser som täcks (helt eller delvis); för ett yrke väger kompetenser som är typiska för just det yrket mer än allmänna",
    "em.mustMet": "Har alla måste-kompetenser", "em.mustNotMet": "Saknar måste-kompetens",
    "em.titlePoints": "Högre i listan: utbildningen ”{title}” är inriktad på yrket",
    "em.view": "Visa profil", "em.contact": "Kontakt", "em.pickOccupation": "Välj ett yrke i listan.",
    "em.pickSkill": "Välj en kompetens i listan.", "em.noSkills": "Lägg till minst en kompetens.",
    "is.title": "Granska kompetenskopplingar", "is.choose": "Välj mikromerit",
    "is.none": "Du har inte publicerat några mikromeriter.",
    "is.title": "Titel", "is.confirm": "Godkänn", "is.reject": "Avvisa", "is.addSkill": "Lägg till kompetens för resultatet",
    "is.outcome": "Lärandemål {n}", "is.new": "Publicera en ny mikromerit", "is.kind": "Typ",
    "is.issued": "Utfärdad till en deltagare", "is.offering": "Utbud (katalog)",
    "is.doc": "Mikromeriten som JSON (EU:s bilaga I)", "is.publish": "Publicera",
    "is.claimCode": "Ge deltagaren den här koden (visas bara nu): {code}",
    "is.badJson": "Texten är inte giltig JSON.",
    "state.suggested": "föreslagen", "state.confirmed": "godkänd", "state.rejected": "avvisad",
    "state.added": "tillagd",
    "pl.title": "Importera jobbannonser",
    "pl.label": "Annonser som JSON-lista (JobTech JobSearch-format)", "pl.import": "Importera",
    "ad.title": "Skapa API-nyckel", "ad.role": "Roll", "ad.name": "Vad nyckeln är till för",
    "ad.create": "Skapa", "ad.created": "Ny nyckel (visas bara nu): {key}",
    "footer.api": "API-dokumentation", "footer.esco": "ESCO © Europeiska unionen",
    "loading": "Hämtar …", "error": "Fel: {message}",
  },
  en: {
    "skip": "Skip to content",
    "tagline": "Skills from micro-credentials, linked to ESCO",
    "login.title": "Sign in with your API key", "login.label": "API key",
    "login.help": "You get the key from whoever runs the service. It is kept in this tab only.",
    "login.submit": "Sign in", "login.logout": "Sign out",
    "login.as": "Signed in as {role} ({name}).",
    "role.job_seeker": "Job seeker", "role.employer": "Employer", "role.issuer": "Issuer",
    "role.platform": "Platform", "role.admin": "Administrator",
    "js.title": "My profile", "js.none": "You have no profile yet.",
    "js.consent": "Employers may find my profile", "js.create": "Create my profile",
    "js.settings": "Visibility", "js.email": "Email (optional)",
    "js.share": "Show my email to employers who find me", "js.save": "Save",
    "js.add": "Add a micro-credential", "js.claim": "Code from the issuer",
    "js.claimBtn": "Add", "js.credentials": "My micro-credentials",
    "js.noCredentials": "You have no micro-credentials yet.",
    "js.skills": "My skills and what backs them",
    "js.suggestions": "Occupations and jobs that fit you", "js.suggestBtn": "Show suggestions",
    "js.interest": "What would you like to work with? (optional)", "js.interestHint": "e.g. elderly care",
    "js.audit": "Who has seen my profile?", "js.auditBtn": "Show",
    "js.noAudit": "No employer has found or viewed your profile.",
    "js.data": "My data", "js.export": "Download all my data",
    "js.delete": "Delete all my data",
    "js.confirmDelete": "Delete your profile and all your data? This cannot be undone.",
    "js.saved": "Saved.", "js.deleted": "All your data has been deleted.",
    "js.added": "The micro-credential was added.",
    "js.wallet": "From your digital wallet (Open Badges 3.0 or European Digital Credential)",
    "js.walletFile": "Choose the file (.json)", "js.walletBtn": "Upload and check",
    "js.walletAdded": "Added: {label}", "js.walletRefused": "Could not be added. Reason: {reason}",
    "js.walletBadFile": "The file could not be read.", "js.revoked": "revoked by the issuer",
    "col.skill": "Skill", "col.evidence": "Backed by", "col.strength": "Strength",
    "strength.verified": "verified", "strength.unverified": "unverified",
    "strength.self_declared": "self-declared",
    "sug.occupations": "Occupations", "sug.ads": "Job ads", "sug.matched": "You have",
    "sug.order": "Suggestions are in order of fit: skills typical of a job weigh more than skills many jobs list, and suggestions resting on few of your skills come last. The percentage is the share of the job's core skills you hold, fully or in part.",
    "sug.missing": "Missing", "sug.partial": "Partly", "sug.courses": "Courses that teach it",
    "sug.jobSkills": "teaches {n} of the job's skills",
    "sug.none": "No suggestions: nothing rests on at least two of your skills yet. Add more credentials or skills, or say what you would like to work with.",
    "em.title": "Find candidates", "em.source": "Describe what the job needs",
    "em.occupation": "An occupation", "em.ad": "A job ad text", "em.skills": "Picked skills",
    "em.occupationLabel": "Occupation (type to search)", "em.adLabel": "Job ad text",
    "em.skillLabel": "Skill (type to search)", "em.skillAdd": "Add skill",
    "em.has": "Has", "em.mustHave": "Must have", "em.remove": "Remove", "em.search": "Search candidates",
    "em.results": "{n} candidates (of {total} who want to be found)",
    "em.noResults": "No candidates found.", "em.candidate": "Candidate {id}",
    "score.core": "shows {held} of the job's {total} core skills",
    "score.corePartial": "shows {held} of the job's {total} core skills, {partial} in part",
    "em.adRead": "The ad was read as {n} skills (remove what does not belong)",
    "em.merit": "a merit", "em.remove": "Remove",
    "score.help": "The percentage is the share of the job's core skills covered (fully or in part); for an occupation, skills typical of that occupation weigh more than general ones",
    "em.mustMet": "Has every must-have skill", "em.mustNotMet": "Lacks a must-have skill",
    "em.titlePoints": "Ranked higher: the credential “{title}” is named for this occupation",
    "em.view": "View profile", "em.contact": "Contact", "em.pickOccupation": "Pick an occupation from the list.",
    "em.pickSkill": "Pick a skill from the list.", "em.noSkills": "Add at least one skill.",
    "is.title": "Review skill links", "is.choose": "Choose a micro-credential",
    "is.none": "You have not published any micro-credentials.",
    "is.title": "Title", "is.confirm": "Confirm", "is.reject": "Reject", "is.addSkill": "Add a skill for this outcome",
    "is.outcome": "Learning outcome {n}", "is.new": "Publish a new micro-credential",
    "is.kind": "Kind", "is.issued": "Issued to a learner", "is.offering": "Offering (catalogue)",
    "is.doc": "The micro-credential as JSON (EU Annex I)", "is.publish": "Publish",
    "is.claimCode": "Give the learner this code (shown only now): {code}",
    "is.badJson": "The text is not valid JSON.",
    "state.suggested": "suggested", "state.confirmed": "confirmed", "state.rejected": "rejected",
    "state.added": "added",
    "pl.title": "Import job ads",
    "pl.label": "Ads as a JSON list (JobTech JobSearch shape)", "pl.import": "Import",
    "ad.title": "Create an API key", "ad.role": "Role", "ad.name": "What the key is for",
    "ad.create": "Create", "ad.created": "New key (shown only now): {key}",
    "footer.api": "API documentation", "footer.esco": "ESCO © European Union",
    "loading": "Loading …", "error": "Error: {message}",
  },
};

let lang = sessionStorage.getItem("mm-lang") || "sv";
let me = null;

const $ = (sel) => document.querySelector(sel);
function t(key, vars = {}) {
  let s = (T[lang] && T[lang][key]) || T.sv[key] || key;
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}
function status(message, isError = false) {
  const box = $("#status");
  box.textContent = message;
  box.className = isError ? "error" : "";
}
const pct = (x) => `${Math.round(x * 100)} %`;

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  const sw = $("#lang-switch");
  sw.textContent = lang === "sv" ? "English" : "Svenska";
  sw.lang = lang === "sv" ? "en" : "sv";
  if (me) $("#whoami").textContent = t("login.as", { role: t(`role.${me.role}`), name: me.name });
}

async function api(method, path, body) {
  const headers = { "X-API-Key": sessionStorage.getItem("mm-key") || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`${path}${sep}lang=${lang}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({ message: res.statusText }));
  if (!res.ok) {
    const err = new Error(data.message || res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}
async function run(fn) {
  try { await fn(); } catch (e) { status(t("error", { message: e.message }), true); }
}

// -- sign in ----------------------------------------------------------------------------------
async function signIn() {
  me = await api("GET", "/v1/me");
  $("#login-form").hidden = true;
  $("#login-title").hidden = true;
  $("#whoami").hidden = false;
  $("#logout").hidden = false;
  applyLanguage();
  for (const v of document.querySelectorAll(".view")) v.hidden = true;
  const view = $(`#view-${me.role}`);
  view.hidden = false;
  status("");
  await ({ job_seeker: loadSeeker, employer: async () => {}, issuer: loadIssuer,
           platform: async () => {}, admin: async () => {} })[me.role]();
  view.querySelector("h2").focus?.();
}

// -- job seeker -------------------------------------------------------------------------------
async function loadSeeker() {
  let profile;
  try { profile = await api("GET", "/v1/me/candidate"); } catch (e) {
    if (e.status !== 404) throw e;
    $("#js-create").hidden = false;
    $("#js-profile").hidden = true;
    return;
  }
  $("#js-create").hidden = true;
  $("#js-profile").hidden = false;
  $("#js-consent").checked = profile.consent;
  $("#js-share").checked = profile.share_contact;
  $("#js-email").value = (profile.contact && profile.contact.email) || "";
  const list = $("#js-credentials");
  list.replaceChildren();
  if (!profile.credentials.length) list.append(el("li", {}, t("js.noCredentials")));
  for (const c of profile.credentials) {
    // A wallet credential says what checking it found ("verifierad av …" or why not).
    const v = c.verification;
    const label = c.revoked_at ? t("js.revoked")
      : v ? v[`label_${lang}`] : t(c.verified ? "strength.verified" : "strength.unverified");
    list.append(el("li", { class: "card" },
      el("h4", {}, c.title), el("span", { class: `badge ${c.verified ? "verified" : "unverified"}` },
        label),
      " ", c.issuer || "", c.issued_on ? ` · ${c.issued_on}` : ""));
  }
  const body = $("#js-skills tbody");
  body.replaceChildren();
  for (const s of profile.skills) {
    const best = s.evidence[0];
    body.append(el("tr", {},
      el("td", {}, s.label || s.uri),
      el("td", {}, best.credential_title ? `${best.credential_title}${best.issuer ? ` (${best.issuer})` : ""}` : t("strength.self_declared")),
      el("td", {}, el("span", { class: `badge ${best.strength}` },
        best.verification ? best.verification[`label_${lang}`] : t(`strength.${best.strength}`)))));
  }
}

function skillList(items, kind) {
  return el("ul", {}, items.map((m) => el("li", {}, m.label,
    kind === "missing" && m.courses && m.courses.length
      ? el("ul", {}, m.courses.map((c) => el("li", {}, `${t("sug.courses")}: ${c.title} (${c.issuer}` +
        (c.job_skills ? `; ${t("sug.jobSkills", { n: c.job_skills })}` : "") + ")")))
      : null)));
}
// What the percentage means: the share of the job's core skills (essential skills of an
// occupation, requirements of an ad) the person covers, with evidence.
function coreLine(core) {
  return core && core.total
    ? el("span", { class: "core" }, t(core.partial ? "score.corePartial" : "score.core", core))
    : null;
}
function suggestionCard(s) {
  return el("li", { class: "card" },
    el("h4", {}, s.title), el("span", { class: "score", title: t("score.help") }, pct(s.score)),
    " ", coreLine(s.core),
    s.employer ? ` · ${s.employer}` : "", s.municipality ? ` · ${s.municipality}` : "",
    s.why ? el("p", { class: "why" }, s.why) : null,
    s.matched.length ? el("p", {}, el("strong", {}, `${t("sug.matched")}: `),
      s.matched.map((m) => m.label).join(", ")) : null,
    s.partial.length ? el("p", {}, el("strong", {}, `${t("sug.partial")}: `),
      s.partial.map((m) => m.label).join(", ")) : null,
    // The most important gaps first (by weight), at most five, each with up to two courses.
    s.missing.length ? el("div", {}, el("strong", {}, `${t("sug.missing")}:`),
      skillList(s.missing.slice(0, 5).map((m) => ({ ...m, courses: (m.courses || []).slice(0, 2) })),
        "missing")) : null);
}
async function showSuggestions() {
  status(t("loading"));
  const interest = $("#js-interest").value.trim();
  const data = await api("GET", "/v1/me/suggestions" +
    (interest ? `?interest=${encodeURIComponent(interest)}` : ""));
  const box = $("#js-suggestions");
  box.replaceChildren(
    el("p", { class: "why" }, t("sug.order")),
    el("h4", {}, t("sug.occupations")),
    data.occupations.length ? el("ul", { class: "cards" }, data.occupations.map(suggestionCard)) : el("p", {}, t("sug.none")),
    el("h4", {}, t("sug.ads")),
    data.ads.length ? el("ul", { class: "cards" }, data.ads.map(suggestionCard)) : el("p", {}, t("sug.none")));
  status("");
}

// -- employer ---------------------------------------------------------------------------------
const picked = new Map(); // uri -> {label, must}
const options = { occupation: new Map(), skill: new Map() }; // label -> uri

async function autocomplete(kind, input, datalist) {
  const q = input.value.trim();
  if (q.length < 2 || options[kind].has(q)) return;
  const hits = await api("GET", `/v1/taxonomy/${kind === "skill" ? "skills" : "occupations"}?q=${encodeURIComponent(q)}&limit=10`);
  datalist.replaceChildren(...hits.map((h) => {
    options[kind].set(h.label, h.uri);
    return el("option", { value: h.label });
  }));
}
function renderPicked() {
  const list = $("#em-picked");
  list.replaceChildren(...[...picked.entries()].map(([uri, p]) => el("li", {},
    p.label, " ",
    el("label", { class: "check" }, el("input", { type: "checkbox", checked: p.must,
      onchange: (e) => { p.must = e.target.checked; } }), t("em.mustHave")),
    el("button", { type: "button", class: "secondary",
      onclick: () => { picked.delete(uri); renderPicked(); } }, `${t("em.remove")}: ${p.label}`))));
}
function requirementFromForm() {
  const source = document.querySelector("input[name=em-source]:checked").value;
  if (source === "occupation") {
    const uri = options.occupation.get($("#em-occupation").value.trim());
    if (!uri) throw new Error(t("em.pickOccupation"));
    return { occupation: uri, lang };
  }
  // Skills the employer removed from what the ad text gave (weight 0 removes a skill).
  if (source === "ad") return { ad_text: $("#em-ad").value, lang,
    weights: Object.fromEntries([...removedFromAd].map((uri) => [uri, 0])) };
  if (!picked.size) throw new Error(t("em.noSkills"));
  return { skills: [...picked.entries()].map(([uri, p]) => ({ uri, must_have: p.must })), lang };
}
// `skills`: the searched requirement's skills by URI; a result's missing skills are URIs.
function explanation(r, skills) {
  const part = (key, items, fmt) => items.length
    ? el("p", {}, el("strong", {}, `${t(key)}: `), items.map(fmt).join("; ")) : null;
  return [
    part("em.has", r.matched, (m) => m.label),
    part("sug.partial", r.partial, (m) => m.rationale),
    part("sug.missing", r.missing, (uri) => (skills.get(uri) || {}).label || uri),
  ];
}
// What the ad text was read as: each skill with the sentence that gave it, removable.
const removedFromAd = new Set();
function adRequirements(requirement) {
  return el("details", { class: "card", open: true },
    el("summary", {}, t("em.adRead", { n: requirement.requirements.length })),
    el("ul", {}, requirement.requirements.map((r) => el("li", {},
      el("strong", {}, r.label || r.uri), r.core ? "" : ` (${t("em.merit")})`,
      r.evidence ? ` – ”${r.evidence}”` : "", " ",
      el("button", { type: "button", class: "secondary", onclick: () => run(async () => {
        removedFromAd.add(r.uri);
        await searchCandidates();
      }) }, `${t("em.remove")}: ${r.label || r.uri}`)))),
    // What was read but is not required, and why ("no ESCO skill for Jira").
    ...(requirement.notes || []).map((n) => el("p", { class: "note" }, n)));
}
async function searchCandidates() {
  const requirement = requirementFromForm();
  status(t("loading"));
  const data = await api("POST", "/v1/search", { requirement, top_k: 20, lang });
  const box = $("#em-results");
  if (!data.results.length) { box.replaceChildren(el("p", {}, t("em.noResults"))); status(""); return; }
  const skills = new Map(data.requirement.requirements.map((s) => [s.uri, s]));
  box.replaceChildren(
    el("h3", {}, data.requirement.title),
    // replaceChildren writes a null argument as the text "null": spread an empty list instead
    ...(data.requirement.source === "ad" ? [adRequirements(data.requirement)] : []),
    el("p", {}, t("em.results", { n: data.results.length, total: data.candidates_searched })),
    el("ol", { class: "cards" }, data.results.map((r) => el("li", { class: "card" },
      el("h4", {}, t("em.candidate", { id: r.candidate_id })),
      el("span", { class: "score", title: t("score.help") }, pct(r.score)), " ", coreLine(r.core), " ",
      // The badge speaks of must-haves only when the search named some.
      r.must_haves ? el("span", { class: `badge ${r.must_haves_met ? "ok" : "missing"}` },
        t(r.must_haves_met ? "em.mustMet" : "em.mustNotMet")) : null,
      // Why a candidate with less coverage can stand higher: a course named for the job.
      r.title_points ? el("p", { class: "note" }, t("em.titlePoints", { title: r.title_points })) : null,
      explanation(r, skills),
      r.contact ? el("p", {}, `${t("em.contact")}: ${Object.values(r.contact).join(", ")}`) : null,
      el("button", { type: "button", class: "secondary",
        onclick: () => run(() => viewCandidate(r.candidate_id)) }, `${t("em.view")}: ${r.candidate_id}`)))));
  status("");
}
async function viewCandidate(id) {
  const c = await api("GET", `/v1/candidates/${encodeURIComponent(id)}`);
  $("#em-candidate").replaceChildren(el("section", { class: "card", "aria-label": t("em.candidate", { id }) },
    el("h3", {}, t("em.candidate", { id })),
    c.contact ? el("p", {}, `${t("em.contact")}: ${Object.values(c.contact).join(", ")}`) : null,
    el("ul", {}, c.skills.map((s) => el("li", {}, `${s.label || s.uri} – `,
      el("span", { class: `badge ${s.evidence[0].strength}` }, s.evidence[0].verification
        ? s.evidence[0].verification[`label_${lang}`] : t(`strength.${s.evidence[0].strength}`)),
      s.evidence[0].credential_title ? ` ${s.evidence[0].credential_title}` : "")))));
}

// -- issuer -----------------------------------------------------------------------------------
let credentials = [];
async function loadIssuer(selectId) {
  credentials = await api("GET", "/v1/credentials");
  const select = $("#is-select");
  select.replaceChildren(...credentials.map((c) => el("option", { value: c.id }, c.title)));
  if (!credentials.length) { $("#is-credential").replaceChildren(el("p", {}, t("is.none"))); return; }
  if (selectId) select.value = String(selectId);
  renderCredential(credentials.find((c) => String(c.id) === select.value) || credentials[0]);
}
function renderCredential(c) {
  const outcomes = c.document.learning_outcomes || [];
  $("#is-credential").replaceChildren(el("div", {},
    el("h3", {}, c.title),
    // The title is read like an outcome (index -1): it often names the skill most clearly.
    el("ul", { class: "plain" }, [[-1, `${t("is.title")}: ${c.title}`], ...outcomes.map((text, i) => [i, text])].map(([i, text]) => el("li", { class: "card" },
      el("h4", {}, text),
      el("ul", {}, c.links.filter((l) => l.outcome_index === i).map((l) => el("li", {},
        el("span", { class: `badge ${l.state}` }, t(`state.${l.state}`)), " ",
        `${l.label} (${pct(l.confidence)}) `,
        el("button", { type: "button", onclick: () => run(() => review(c.id, l.id, "confirmed")) },
          `${t("is.confirm")}: ${l.label}`),
        el("button", { type: "button", class: "danger", onclick: () => run(() => review(c.id, l.id, "rejected")) },
          `${t("is.reject")}: ${l.label}`)))),
      addSkillForm(c.id, i))))));
}
function addSkillForm(credentialId, index) {
  const id = `is-add-${credentialId}-${index}`;
  const input = el("input", { id, list: `${id}-list`, autocomplete: "off" });
  const datalist = el("datalist", { id: `${id}-list` });
  input.addEventListener("input", () => run(() => autocomplete("skill", input, datalist)));
  return el("div", {}, el("label", { for: id }, t("is.addSkill")), input, datalist,
    el("button", { type: "button", onclick: () => run(async () => {
      const uri = options.skill.get(input.value.trim());
      if (!uri) throw new Error(t("em.pickSkill"));
      await api("POST", `/v1/credentials/${credentialId}/links`, { outcome_index: index, uri });
      await loadIssuer(credentialId);
    }) }, t("em.skillAdd")));
}
async function review(credentialId, linkId, state) {
  const c = await api("PATCH", `/v1/credentials/${credentialId}/links/${linkId}`, { state });
  credentials = credentials.map((x) => (x.id === c.id ? c : x));
  renderCredential(c);
  status(t("js.saved"));
}

// -- wiring -----------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  applyLanguage();
  $("#lang-switch").addEventListener("click", () => {
    lang = lang === "sv" ? "en" : "sv";
    sessionStorage.setItem("mm-lang", lang);
    applyLanguage();
    // The job seeker's lists carry texts in the page's language (e.g. "verifierad av …").
    if (me && me.role === "job_seeker" && !$("#js-profile").hidden) run(loadSeeker);
  });
  $("#login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem("mm-key", $("#api-key").value.trim());
    run(signIn);
  });
  $("#logout").addEventListener("click", () => { sessionStorage.removeItem("mm-key"); location.reload(); });
  // job seeker
  $("#js-create-btn").addEventListener("click", () => run(async () => {
    await api("POST", "/v1/me/candidate", { consent: $("#js-create-consent").checked });
    await loadSeeker();
  }));
  $("#js-save").addEventListener("click", () => run(async () => {
    const email = $("#js-email").value.trim();
    await api("PATCH", "/v1/me/candidate", { consent: $("#js-consent").checked,
      share_contact: $("#js-share").checked, contact: email ? { email } : null });
    status(t("js.saved"));
  }));
  $("#js-claim-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      await api("POST", "/v1/me/candidate/credentials", { claim_code: $("#js-claim").value.trim() });
      $("#js-claim").value = "";
      await loadSeeker();
      status(t("js.added"));
    });
  });
  $("#js-wallet-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      const file = $("#js-wallet").files[0];
      let text;
      try { text = await file.text(); } catch { status(t("js.walletBadFile"), true); return; }
      let credential;  // JSON-LD as a wallet saves it; anything else goes as text (a JWT)
      try { credential = JSON.parse(text); } catch { credential = text.trim(); }
      try {
        const held = await api("POST", "/v1/me/candidate/credentials/verifiable",
          { document: credential });
        $("#js-wallet").value = "";
        await loadSeeker();
        status(t("js.walletAdded", { label: held.verification[`label_${lang}`] }));
      } catch (err) {
        if (err.status !== 422) throw err;
        status(t("js.walletRefused", { reason: err.message.replace(/^refused: /, "") }), true);
      }
    });
  });
  $("#js-suggest").addEventListener("click", () => run(showSuggestions));
  $("#js-audit-btn").addEventListener("click", () => run(async () => {
    const entries = await api("GET", "/v1/me/audit");
    $("#js-audit").replaceChildren(...(entries.length ? entries.map((a) => el("li", {},
      `${new Date(a.at).toLocaleString(lang)} – ${a.actor} – ${a.action}${a.requirement ? ` (${a.requirement.title})` : ""}`))
      : [el("li", {}, t("js.noAudit"))]));
  }));
  $("#js-export").addEventListener("click", () => run(async () => {
    const data = await api("GET", "/v1/me/candidate/export");
    const link = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" })),
      download: "meritmatch-export.json" });
    document.body.append(link); link.click(); link.remove();
  }));
  $("#js-delete").addEventListener("click", () => run(async () => {
    if (!confirm(t("js.confirmDelete"))) return;
    await api("DELETE", "/v1/me/candidate");
    await loadSeeker();
    status(t("js.deleted"));
  }));
  // employer
  for (const radio of document.querySelectorAll("input[name=em-source]")) {
    radio.addEventListener("change", () => {
      const v = document.querySelector("input[name=em-source]:checked").value;
      $("#em-occupation-box").hidden = v !== "occupation";
      $("#em-ad-box").hidden = v !== "ad";
      $("#em-skills-box").hidden = v !== "skills";
    });
  }
  $("#em-ad").addEventListener("input", () => removedFromAd.clear()); // a new text, read anew
  $("#em-occupation").addEventListener("input", () => run(() => autocomplete("occupation", $("#em-occupation"), $("#em-occupation-list"))));
  $("#em-skill").addEventListener("input", () => run(() => autocomplete("skill", $("#em-skill"), $("#em-skill-list"))));
  $("#em-skill-add").addEventListener("click", () => run(async () => {
    const label = $("#em-skill").value.trim();
    const uri = options.skill.get(label);
    if (!uri) throw new Error(t("em.pickSkill"));
    picked.set(uri, { label, must: false });
    $("#em-skill").value = "";
    renderPicked();
  }));
  $("#em-form").addEventListener("submit", (e) => { e.preventDefault(); run(searchCandidates); });
  // issuer
  $("#is-select").addEventListener("change", () => {
    renderCredential(credentials.find((c) => String(c.id) === $("#is-select").value));
  });
  $("#is-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      let doc;
      try { doc = JSON.parse($("#is-doc").value); } catch { throw new Error(t("is.badJson")); }
      const c = await api("POST", "/v1/credentials", { kind: $("#is-kind").value, document: doc });
      await loadIssuer(c.id);
      status(c.claim_code ? t("is.claimCode", { code: c.claim_code }) : t("js.saved"));
    });
  });
  // platform and admin
  $("#pl-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      let ads;
      try { ads = JSON.parse($("#pl-ads").value); } catch { throw new Error(t("is.badJson")); }
      const out = await api("POST", "/v1/ads", { ads: Array.isArray(ads) ? ads : [ads] });
      $("#pl-result").textContent = JSON.stringify(out, null, 2);
    });
  });
  $("#ad-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      const k = await api("POST", "/v1/keys", { role: $("#ad-role").value, name: $("#ad-name").value });
      $("#ad-result").textContent = t("ad.created", { key: k.key });
    });
  });
  if (sessionStorage.getItem("mm-key")) run(signIn);
});
