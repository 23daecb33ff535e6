/**
 * Runs `pass` one at a time: a call while a pass runs returns that run and asks for one more pass
 * after it (so work that arrived meanwhile is not missed), instead of starting a second, concurrent one.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly mayRepeat: () => boolean = () => true,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && this.mayRepeat());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no pass is running (without starting one). */
  async idle(): Promise<void> {
    await this.running;
  }
}
