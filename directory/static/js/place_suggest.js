// Place suggestions for the "where" box, from GET /places/lookup (progressive enhancement:
// without this script, or when the request fails, the box is an ordinary text field).
//
// Suggestions go into a native <datalist> tied to the input, so the browser draws the list
// and makes it usable from the keyboard and announced by screen readers; a polite status
// message says how many there are. Picking one puts "Upton, Chester" in the box, which the
// search resolves to that place (the part after the comma tells namesakes apart).
const MIN_LENGTH = 2;
const MAX_LENGTH = 100;
const DELAY_MS = 250;
const MAX_SHOWN = 8;

function enhance(input) {
  const lookupUrl = input.dataset.placeSuggest;
  if (!lookupUrl || !input.id || !window.fetch) return;
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  input.after(list, status);
  input.setAttribute("list", list.id);

  let timer = null;
  let asked = "";
  let controller = null;

  async function update() {
    const query = input.value.trim();
    if (query.length < MIN_LENGTH || query.length > MAX_LENGTH || query === asked) return;
    asked = query;
    if (controller) controller.abort();
    controller = new AbortController();
    let data;
    try {
      const response = await fetch(`${lookupUrl}?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline, aborted by the next keystroke, or rate-limited: nothing changes
    }
    const places = [data.best, ...(data.alternatives || [])].filter(
      (place) => place && place.kind !== "postcode" && place.kind !== "outcode",
    );
    const labels = [...new Set(places.map((place) => place.label))].slice(0, MAX_SHOWN);
    list.replaceChildren(
      ...labels.map((label) => {
        const option = document.createElement("option");
        option.value = label;
        return option;
      }),
    );
    const count = labels.length;
    const message = count === 1 ? "1 place suggested" : `${count} places suggested`;
    status.textContent = count ? message : "";
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DELAY_MS);
  });
}

document.querySelectorAll("input[data-place-suggest]").forEach(enhance);
