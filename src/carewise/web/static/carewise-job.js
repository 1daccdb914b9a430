// The pack's progress page: asks the small JSON status endpoint every second and shows the step,
// then the download link. Without JavaScript the page says so and offers "Check again".
const box = document.getElementById("pack-job");
if (box) {
  const show = (id, on) => { document.getElementById(id).hidden = !on; };
  const poll = async () => {
    let job;
    try {
      const answer = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!answer.ok) throw new Error(String(answer.status));
      job = await answer.json();
    } catch (_) {
      setTimeout(poll, 3000);
      return;
    }
    box.dataset.state = job.state;
    if (job.state === "done") {
      show("pack-job-progress", false);
      show("pack-job-done", true);
      document.getElementById("pack-job-download").focus();
      return;
    }
    if (job.state === "failed") {
      show("pack-job-progress", false);
      show("pack-job-failed", true);
      return;
    }
    document.getElementById("pack-job-step").textContent = job.state === "queued"
      ? "Waiting to start"
      : `Step ${job.done} of ${job.total} (${job.percent}%)${job.step ? ": " + job.step : ""}`;
    const bar = document.getElementById("pack-job-bar");
    bar.value = job.percent;
    bar.textContent = `${job.percent}%`;
    setTimeout(poll, 1000);
  };
  if (box.dataset.state === "queued" || box.dataset.state === "running") setTimeout(poll, 500);
}
