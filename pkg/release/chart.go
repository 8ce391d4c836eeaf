package release

import (
	"bytes"
	"fmt"
	"html"
	"time"
)

// chart draws both versions' latency over the load, one dot a request
// (stable blue, candidate orange, an error a red cross), with the warm-up
// shaded: a small SVG the report embeds.
func chart(samples []Sample, warmup time.Duration) []byte {
	const w, h, left, bottom = 640, 240, 56, 28
	var maxAt, maxLat time.Duration
	for _, s := range samples {
		maxAt, maxLat = max(maxAt, s.At), max(maxLat, s.Latency)
	}
	maxAt, maxLat = max(maxAt, time.Second), max(maxLat, time.Millisecond)
	x := func(d time.Duration) float64 { return left + float64(d)/float64(maxAt)*(w-left-10) }
	y := func(d time.Duration) float64 { return h - bottom - float64(d)/float64(maxLat)*(h-bottom-20) }
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect x="%.1f" y="10" width="%.1f" height="%d" fill="#eee"/><text x="%.1f" y="22">warm-up</text>`+"\n", x(0), x(warmup)-x(0), h-bottom-10, x(0)+4)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/><line x1="%d" y1="10" x2="%d" y2="%d" stroke="#333"/>`+"\n", left, h-bottom, w-10, h-bottom, left, left, h-bottom)
	fmt.Fprintf(&b, `<text x="4" y="16">%s</text><text x="4" y="%d">0 ms</text><text x="%d" y="%d">%s</text>`+"\n",
		html.EscapeString(ms(maxLat)), h-bottom, w-60, h-8, html.EscapeString(maxAt.Round(time.Second).String()))
	colors := map[string]string{"stable": "#1f77b4", "candidate": "#ff7f0e"}
	for _, s := range samples {
		if s.Error != "" {
			fmt.Fprintf(&b, `<path d="M%.1f %.1fl4 4m0 -4l-4 4" stroke="#d62728"/>`+"\n", x(s.At)-2, y(s.Latency)-2)
			continue
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="1.6" fill="%s"/>`+"\n", x(s.At), y(s.Latency), colors[s.Version])
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">● stable</text><text x="%d" y="%d" fill="%s">● candidate</text><text x="%d" y="%d" fill="#d62728">✕ error</text>`+"\n",
		left+10, h-8, colors["stable"], left+80, h-8, colors["candidate"], left+170, h-8)
	b.WriteString("</svg>\n")
	return b.Bytes()
}
