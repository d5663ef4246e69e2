// wprof-deterministic.mjs — `wprof run --deterministic` for a guest under
// node:wasi (wprof-run-node.mjs): the clock, random and sleep calls of
// wasi_snapshot_preview1 replaced by those of wprof run's own WASI
// (runtime-shim/wasi/wasi.h, "--deterministic"), so that both engines give a
// guest the same values: every clock reading first advances one virtual time
// by CLOCK_STEP_NS; the realtime clock (0) reads EPOCH_NS plus it, the other
// clocks (1-3) it alone; a clock's resolution is the step; random_get gives
// splitmix64's bytes from RANDOM_SEED; a poll_oneoff on clocks only returns
// at once, the virtual time advanced to its earliest deadline. A poll_oneoff
// that also waits on descriptors is left to node:wasi (real time).

const CLOCK_STEP_NS = 1000n; // WPROF_WASI_CLOCK_STEP_NS
const EPOCH_NS = 946684800000000000n; // WPROF_WASI_EPOCH_NS: 2000-01-01T00:00:00Z
const RANDOM_SEED = 0x7770726f66n; // WPROF_WASI_RANDOM_SEED: "wprof"
const CLOCKS = 4; // realtime, monotonic, process and thread CPU time
const E_FAULT = 21, E_INVAL = 28;
const SUB_SIZE = 48, EVENT_SIZE = 32, EV_CLOCK = 0, SUBCLOCK_ABSTIME = 1;
const U64 = (1n << 64n) - 1n;

// Returns wasiImport with the deterministic calls; memory() gives the
// guest's WebAssembly.Memory once it is instantiated.
export function deterministicWasi(wasiImport, memory) {
  let virtualNs = 0n;
  let randomState = RANDOM_SEED;
  const view = () => new DataView(memory().buffer);
  const fits = (ptr, len) => ptr >>> 0 === ptr && ptr + len <= memory().buffer.byteLength;
  const virtualClock = (id) => (id === 0 ? EPOCH_NS : 0n) + virtualNs;

  function splitmix64() {
    randomState = (randomState + 0x9E3779B97F4A7C15n) & U64;
    let z = randomState;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & U64;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & U64;
    return z ^ (z >> 31n);
  }

  return {
    ...wasiImport,
    clock_time_get(id, _precision, out) {
      if (id >>> 0 >= CLOCKS) return E_INVAL;
      if (!fits(out, 8)) return E_FAULT;
      virtualNs += CLOCK_STEP_NS;
      view().setBigUint64(out, virtualClock(id), true);
      return 0;
    },
    clock_res_get(id, out) {
      if (id >>> 0 >= CLOCKS) return E_INVAL;
      if (!fits(out, 8)) return E_FAULT;
      view().setBigUint64(out, CLOCK_STEP_NS, true);
      return 0;
    },
    random_get(buf, len) {
      if (!fits(buf, len)) return E_FAULT;
      const bytes = new Uint8Array(memory().buffer, buf, len);
      for (let done = 0; done < len; done += 8) {
        const r = splitmix64();
        for (let i = 0; i < 8 && done + i < len; i++) bytes[done + i] = Number((r >> BigInt(8 * i)) & 0xffn);
      }
      return 0;
    },
    poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
      if (nsubs === 0) return E_INVAL;
      if (!fits(inPtr, nsubs * SUB_SIZE) || !fits(outPtr, nsubs * EVENT_SIZE) || !fits(neventsPtr, 4)) return E_FAULT;
      const v = view();
      const subs = Array.from({ length: nsubs }, (_, i) => inPtr + i * SUB_SIZE);
      if (subs.some((s) => v.getUint8(s + 8) !== EV_CLOCK)) return wasiImport.poll_oneoff(inPtr, outPtr, nsubs, neventsPtr);
      let nevents = 0;
      const event = (userdata, error) => {
        const e = outPtr + nevents++ * EVENT_SIZE;
        new Uint8Array(v.buffer, e, EVENT_SIZE).fill(0);
        v.setBigUint64(e, userdata, true);
        v.setUint16(e + 8, error, true);
        v.setUint8(e + 10, EV_CLOCK);
      };
      let earliest = U64;
      const deadlines = subs.map((s) => {
        const id = v.getUint32(s + 16, true);
        if (id >= CLOCKS) {
          event(v.getBigUint64(s, true), E_INVAL);
          return null;
        }
        const timeout = v.getBigUint64(s + 24, true), now = virtualClock(id);
        const rel = v.getUint16(s + 40, true) & SUBCLOCK_ABSTIME ? (timeout > now ? timeout - now : 0n) : timeout;
        const deadline = virtualNs + rel > U64 ? U64 : virtualNs + rel;
        if (deadline < earliest) earliest = deadline;
        return deadline;
      });
      if (nevents === 0) {
        if (earliest > virtualNs) virtualNs = earliest; // the wait, at once
        subs.forEach((s, i) => { if (deadlines[i] !== null && deadlines[i] <= virtualNs) event(v.getBigUint64(s, true), 0); });
      }
      v.setUint32(neventsPtr, nevents, true);
      return 0;
    },
  };
}
