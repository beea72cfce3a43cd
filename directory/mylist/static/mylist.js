// My list enhancements. Every page works without this file: the print pages say how to print
// with the browser, and the share link is shown in full to copy by hand.
for (const button of document.querySelectorAll("[data-mylist-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

for (const button of document.querySelectorAll("[data-mylist-copy]")) {
  const field = document.getElementById(button.dataset.mylistCopy);
  const status = document.getElementById(button.dataset.mylistStatus);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied";
    } catch {
      field.select();
      status.textContent = "Select the link and copy it";
    }
  });
}
