/** Background work that must end before the build does; a failed upload is a warning, never a failed build. */
export class Uploads {
  private readonly pending: Array<Promise<unknown>> = [];

  start(work: () => Promise<unknown>): void {
    this.pending.push(work().catch(() => undefined));
  }

  async finish(): Promise<void> {
    await Promise.all(this.pending);
  }
}
