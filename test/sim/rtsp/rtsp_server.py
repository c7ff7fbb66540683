#!/usr/bin/python3
"""RTSP camera simulator: GStreamer's RTSP server with Digest auth, one H.264 stream per mount.

Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0). Started by server.ts:

  rtsp_server.py --port P --user U --images DIR --size WxH [--overlay X,Y,SIZE] --mount /cam1=normal [--mount ...]
  (--overlay places the on-screen display: a ball and a clock that show the picture is live)
  (the password comes on the environment, CAMSIM_RTSP_PASSWORD, so it is not in the process list)

DIR holds normal.png, blur.png, fog.png and black.png of one size. Control: one command per stdin line,
one answer per stdout line ("ok ..." / "error ..."):  mode /cam1 black
A mode applies to sessions set up after the change; every probe opens a new session (the factory is
not shared, so each DESCRIBE builds its own pipeline). Stdin closing, or the parent dying
(PR_SET_PDEATHSIG), ends the process, so a crashed test leaves no simulator behind.
"""
import argparse
import ctypes
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

MODES = ("normal", "blur", "fog", "black", "frozen", "dead")
FPS = 10
ROLE = "camera-user"
OSD_BACKGROUND = 0xFF28323C  # opaque dark slate (ARGB): text on a transparent square would not show


def die_with_parent():
    """Linux: SIGKILL when the parent process dies, even if it was killed with SIGKILL."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() == 1:
        sys.exit(0)


def still(path):
    return (f'filesrc location="{path}" ! pngdec ! videoconvert ! imagefreeze '
            f"! video/x-raw,format=AYUV,framerate={FPS}/1")


def osd(size, live, effect=""):
    """The camera's on-screen display: a ball and a clock on a dark square. Live, both follow the wall
    clock (not the session's running time), so the first frame of every new session differs; frozen,
    it is one fixed picture (ball at its start, clock stopped)."""
    font = f'auto-resize=false font-desc="Sans {max(6, size // 10)}" valignment=bottom xpad=4 ypad=4'
    if live:
        src = f"videotestsrc pattern=ball animation-mode=wall-time background-color={OSD_BACKGROUND}"
        text, hold = f'clockoverlay time-format="%H:%M:%S" {font}', ""
    else:
        src = f"videotestsrc num-buffers=1 pattern=ball background-color={OSD_BACKGROUND}"
        text, hold = f'textoverlay text="08:59:59" {font}', f"! imagefreeze ! video/x-raw,framerate={FPS}/1 "
    return (f"{src} ! video/x-raw,format=AYUV,width={size},height={size},framerate={FPS}/1 ! {text} "
            f"! videoconvert ! video/x-raw,format=AYUV {hold}{effect}")


def launch(mode, images, layout):
    """The pipeline a new session of `mode` gets; the payloader must be named pay0 (RTSPMediaFactory)."""
    # Frozen: a constant quantizer, so every picture of the stream decodes to the very same pixels, as from a
    # camera whose encoder keeps re-encoding one stuck buffer. With the default constant bitrate each session's
    # fresh encoder refines a static picture for a few GOPs (frame 0, 10 and 20 differ by ~0.02 luma levels in
    # the 32x18 block-mean grid), so a grab that happened to land on the second keyframe did not look frozen.
    rate = "pass=quant quantizer=20" if mode == "frozen" else "bitrate=1000"
    enc = ("videoconvert ! video/x-raw,format=I420 ! x264enc tune=zerolatency speed-preset=ultrafast "
           f"key-int-max={FPS} {rate} ! rtph264pay name=pay0 pt=96 config-interval=1")
    if mode == "dead":
        # The encoder is gone: the media cannot be prepared, so DESCRIBE gets 503 Service Unavailable.
        return f'( filesrc location="{os.path.join(images, "no-such-file")}" ! pngdec ! {enc} )'
    if mode == "black":  # no video signal at all
        return f'( {still(os.path.join(images, "black.png"))} ! {enc} )'
    # The scene (pre-made still, blurred or hazed by sharp) under the OSD, which gets the same treatment
    # here: only the small OSD is filtered, as a full-frame gaussianblur costs ~10x the whole pipeline.
    x, y, size, width, height = layout
    scene = os.path.join(images, f"{'normal' if mode == 'frozen' else mode}.png")
    effect, alpha = {"blur": ("! gaussianblur sigma=6", 1.0), "fog": ("", 0.3)}.get(mode, ("", 1.0))
    # The output size is fixed: left to itself, compositor may settle on the OSD's extent when the OSD's
    # caps arrive before the scene's.
    return (f"( compositor name=mix background=black sink_1::xpos={x} sink_1::ypos={y} sink_1::alpha={alpha} "
            f"! video/x-raw,width={width},height={height},framerate={FPS}/1 ! {enc}  {still(scene)} ! mix.  "
            f"{osd(size, mode != 'frozen', effect)} ! mix. )")


class Simulator:
    def __init__(self, args):
        self.args = args
        self.modes = {}
        self.factories = {}
        self.pending = ""
        self.layout = tuple(int(v) for v in args.overlay.split(",") + args.size.split("x"))
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address("127.0.0.1")
        self.server.set_service(str(args.port))
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", ROLE)
        auth.add_digest(args.user, os.environ.get("CAMSIM_RTSP_PASSWORD", ""), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)  # RFC 2617 §3; no Basic fallback
        self.server.set_auth(auth)
        mounts = self.server.get_mount_points()
        for spec in args.mount:
            path, _, mode = spec.partition("=")
            factory = GstRtspServer.RTSPMediaFactory()
            permissions = GstRtspServer.RTSPPermissions()
            permissions.add_permission_for_role(ROLE, "media.factory.access", True)
            permissions.add_permission_for_role(ROLE, "media.factory.construct", True)
            factory.set_permissions(permissions)
            factory.set_shared(False)
            mounts.add_factory(path, factory)
            self.factories[path] = factory
            self.set_mode(path, mode or "normal")

    def set_mode(self, path, mode):
        if path not in self.factories:
            return f"error unknown mount {path}"
        if mode not in MODES:
            return f"error unknown mode {mode}"
        self.factories[path].set_launch(launch(mode, self.args.images, self.layout))
        self.modes[path] = mode
        return f"ok mode {path} {mode}"

    def on_stdin(self, fd, condition):
        data = os.read(fd, 4096) if condition & GLib.IO_IN else b""
        if not data:  # EOF: the controlling process is gone
            self.loop.quit()
            return False
        self.pending += data.decode("utf-8", "replace")
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            words = line.split()
            if len(words) == 3 and words[0] == "mode":
                answer = self.set_mode(words[1], words[2])
            elif words == ["ping"]:
                answer = "ok pong"
            else:
                answer = "error unknown command"
            print(answer, flush=True)
        return True

    def run(self):
        self.loop = GLib.MainLoop()
        try:
            # create_source reports a failed bind (attach() would only return 0)
            self.server.create_source(None).attach(None)
        except GLib.Error as err:
            print(f"error could not listen on 127.0.0.1:{self.args.port}: {err.message}", file=sys.stderr, flush=True)
            return 3
        GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, self.on_stdin)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.loop.quit)
        print(f"ready {self.args.port}", flush=True)
        self.loop.run()
        return 0


def main():
    die_with_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--size", required=True, help="WxH of the scene images")
    parser.add_argument("--overlay", default="16,16,96", help="x,y,size of the on-screen display in pixels")
    parser.add_argument("--mount", action="append", required=True)
    args = parser.parse_args()
    Gst.init(None)
    return Simulator(args).run()


if __name__ == "__main__":
    sys.exit(main())
