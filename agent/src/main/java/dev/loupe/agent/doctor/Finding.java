package dev.loupe.agent.doctor;

/**
 * One line of {@code loupe doctor}: what was tried, whether it worked, and if not, what to do.
 *
 * @param check    short name of what was tried, e.g. "ring buffer"
 * @param status   the outcome
 * @param detail   what was found, e.g. "BPF_MAP_TYPE_RINGBUF created, record read back via mmap"
 * @param remedy   what to do when the status is not OK; empty when OK
 * @param required whether a snapshot cannot work without it (drives doctor's exit status)
 */
public record Finding(String check, Status status, String detail, String remedy, boolean required) {

    /** The outcome of one check. */
    public enum Status { OK, MISSING, WARN }

    public static Finding ok(String check, String detail, boolean required) {
        return new Finding(check, Status.OK, detail, "", required);
    }

    public static Finding missing(String check, String detail, String remedy, boolean required) {
        return new Finding(check, Status.MISSING, detail, remedy, required);
    }

    public static Finding warn(String check, String detail, String remedy) {
        return new Finding(check, Status.WARN, detail, remedy, false);
    }

    /** True when this finding means a snapshot could not work. */
    public boolean blocksSnapshot() {
        return required && status == Status.MISSING;
    }
}
