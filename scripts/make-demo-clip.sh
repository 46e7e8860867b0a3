#!/usr/bin/env bash
# Regenerates assets/demo/earmark-demo.mov, the clip `make run` opens: 20 s of 1280x720
# 23.976 fps H.264 + AAC-LC stereo 48 kHz with a tmcd track from 01:00:00:00.
#
#   00:00–00:02  SMPTE HD bars, 1 kHz line-up tone at −20 dBFS in both channels
#   00:02–00:04  "LEFT" card, voice "Left channel" in the left channel only
#   00:04–00:06  "RIGHT" card, voice "Right channel" in the right channel only
#   frame 168    sync mark: one white frame and a one-frame 1 kHz beep starting on the same
#                sample (168 × 1001/24000 s = 336 336 samples)
#   00:08–00:20  programme: moving gradients, a voice in the centre over a stereo music bed
#                and a quiet pink-noise room tone
# Burnt in throughout: source timecode (bottom) and frame counter (top right).
# A model review file: it passes `earmark check --profile pix-standard` (no edit lists, no
# B-frames, AAC at 128 kb/s) and sits inside the Netflix 2.0 target (dialogue about −27 LKFS,
# true peak below −2 dBTP), so `earmark loudness` passes too. Without an edit list nothing trims
# the AAC encoder's 1024 priming samples, so the sound is handed to the encoder 1024 samples
# early: decoded, the sync beep still starts on frame 168's first sample.
# Needs ffmpeg (libx264, drawtext), espeak-ng and the DejaVu fonts: scripts/install-deps.sh test.
set -euo pipefail
cd "$(dirname "$0")/.."
out=assets/demo/earmark-demo.mov
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
mono=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
rate=24000/1001

espeak-ng -s 150 -w "$tmp/left.wav" "Left channel"
espeak-ng -s 150 -w "$tmp/right.wav" "Right channel"
espeak-ng -s 155 -w "$tmp/dialog.wav" \
  "This is the Earmark demo clip. Dialogue sits in the centre, the music is wide, \
   and the room tone is quiet. Check that my voice comes from the middle of your head. \
   The scene ends in three, two, one."

text() { # text CONTENT X Y SIZE ENABLE
  printf "drawtext=fontfile=%s:text='%s':x=%s:y=%s:fontsize=%s:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=12:enable='%s'" "$font" "$1" "$2" "$3" "$4" "$5"
}

video="gradients=s=1280x720:r=$rate:speed=0.015:c0=0x1b2a41:c1=0x324a5f:c2=0x0c1821:c3=0x5c3c4f:n=4,format=yuv420p[bg];
smptehdbars=s=1280x720:r=$rate,format=yuv420p[bars];
[bg][bars]overlay=enable='lt(t,2)',
$(text 'LINE-UP  1 kHz  -20 dBFS' '(w-tw)/2' 560 40 'lt(t,2)'),
$(text 'LEFT' 120 '(h-th)/2' 120 'between(t,2,4)'),
$(text 'RIGHT' 'w-tw-120' '(h-th)/2' 120 'between(t,4,6)'),
$(text 'SYNC' '(w-tw)/2' 200 64 'between(n,156,180)'),
drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,168)',
$(text 'PROGRAMME' 40 40 36 'gte(t,8)'),
drawtext=fontfile=$mono:text='FRAME %{frame_num}':x=w-tw-40:y=40:fontsize=36:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=10,
drawtext=fontfile=$mono:timecode='01\:00\:00\:00':rate=$rate:x=(w-tw)/2:y=h-th-40:fontsize=56:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=12[v]"

audio="aevalsrc=exprs='0.1*sin(2*PI*1000*t)':s=48000,atrim=end_sample=96000,pan=stereo|c0=c0|c1=c0[tone];
[1:a]aresample=48000,volume=0.3,pan=stereo|c0=c0|c1=0*c0,adelay=delays=96000S|96000S[l];
[2:a]aresample=48000,volume=0.3,pan=stereo|c0=0*c0|c1=c0,adelay=delays=192000S|192000S[r];
aevalsrc=exprs='0.25*sin(2*PI*1000*t)':s=48000,atrim=end_sample=2002,pan=stereo|c0=c0|c1=c0,adelay=delays=336336S|336336S[beep];
[3:a]aresample=48000,volume=0.35,pan=stereo|c0=c0|c1=c0,adelay=delays=432000S|432000S[dlg];
aevalsrc=exprs='0.0125*sin(2*PI*220*t)*(0.7+0.3*sin(2*PI*0.25*t))+0.0075*sin(2*PI*329.63*t)+0.005*sin(2*PI*440*t+1)|0.0125*sin(2*PI*277.18*t)*(0.7+0.3*sin(2*PI*0.25*t+2))+0.0075*sin(2*PI*164.81*t)+0.005*sin(2*PI*554.37*t)':s=48000,atrim=end_sample=576000,afade=t=in:d=1.5,adelay=delays=384000S|384000S[music];
anoisesrc=color=pink:amplitude=0.004:sample_rate=48000:seed=7,atrim=end_sample=576000,pan=stereo|c0=c0|c1=c0,adelay=delays=384000S|384000S[room];
[tone][l][r][beep][dlg][music][room]amix=inputs=7:normalize=0:duration=longest,atrim=start_sample=1024:end_sample=961984,asetpts=PTS-STARTPTS[a]"

ffmpeg -v error -y -f lavfi -i "nullsrc=s=16x16:r=$rate" -i "$tmp/left.wav" -i "$tmp/right.wav" -i "$tmp/dialog.wav" \
  -filter_complex "$video;$audio" -map "[v]" -map "[a]" -frames:v 480 \
  -c:v libx264 -preset slow -crf 24 -pix_fmt yuv420p -profile:v high -g 48 -keyint_min 48 -sc_threshold 0 -bf 0 \
  -color_primaries bt709 -color_trc bt709 -colorspace bt709 \
  -c:a aac -b:a 128k -ar 48000 -ac 2 \
  -timecode 01:00:00:00 -metadata:s:v:0 encoder="H.264" \
  -use_editlist 0 -avoid_negative_ts make_non_negative -movflags +faststart "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
