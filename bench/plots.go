package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Each system keeps its colour in every chart.
var systemColors = map[string]color.Color{
	sysRaw:          color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff},
	sysSession:      color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	sysSessionAP:    color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	sysSessionOff:   color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	sysRawAP:        color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	sysSessionAPOff: color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
	sysRueidis:      color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

var systemOrder = []string{sysRaw, sysSession, sysSessionOff, sysSessionAP, sysSessionAPOff, sysRawAP, sysRueidis}

// writePlots writes throughput.png, latency.png and sweep.png to dir.
func writePlots(rep report, dir string) ([]string, error) {
	var files []string
	for _, f := range []struct {
		name string
		make func(report) ([][]*plot.Plot, error)
		w, h vg.Length
	}{
		{"throughput.png", throughputPlots, 30 * vg.Centimeter, 18 * vg.Centimeter},
		{"latency.png", latencyPlots, 30 * vg.Centimeter, 18 * vg.Centimeter},
		{"sweep.png", sweepPlots, 24 * vg.Centimeter, 10 * vg.Centimeter},
	} {
		plots, err := f.make(rep)
		if err != nil {
			return files, fmt.Errorf("%s: %w", f.name, err)
		}
		if plots == nil {
			continue
		}
		path := filepath.Join(dir, f.name)
		if err := save(plots, f.w, f.h, path); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

// save draws a grid of plots into one PNG.
func save(plots [][]*plot.Plot, w, h vg.Length, path string) error {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	canvases := plot.Align(plots, t, dc)
	for j := range plots {
		for i := range plots[j] {
			if plots[j][i] != nil {
				plots[j][i].Draw(canvases[j][i])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// grid lays plots out three to a row.
func grid(ps []*plot.Plot) [][]*plot.Plot {
	var rows [][]*plot.Plot
	for len(ps) > 0 {
		n := min(3, len(ps))
		row := make([]*plot.Plot, 3)
		copy(row, ps[:n])
		rows = append(rows, row)
		ps = ps[n:]
	}
	return rows
}

// sessionTicks marks each number of sessions on a log axis.
func sessionTicks(ns []int) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for _, n := range ns {
		ts = append(ts, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	return ts
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	return p
}

// line adds a line with points for system's results, dashed if dashed.
func line(p *plot.Plot, label, system string, xys plotter.XYs, dashed bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	c := systemColors[system]
	l.Color, s.Color = c, c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	if len(xys) == 1 { // a system measured at one point only: a bigger mark
		s.Radius = vg.Points(4)
		s.Shape = draw.PyramidGlyph{}
		p.Add(s)
		p.Legend.Add(label, s)
		return nil
	}
	p.Add(l, s)
	p.Legend.Add(label, l, s)
	return nil
}

// series returns one system's results on a workload, by sessions.
func series(rep report, wl, system string, y func(result) float64) plotter.XYs {
	var xys plotter.XYs
	for _, n := range rep.Sessions {
		if r, ok := find(rep.Results, wl, n, system); ok {
			xys = append(xys, plotter.XY{X: float64(n), Y: y(r)})
		}
	}
	return xys
}

func throughputPlots(rep report) ([][]*plot.Plot, error) {
	var ps []*plot.Plot
	for _, wl := range workloads {
		if _, ok := find(rep.Results, wl.name, rep.Sessions[0], sysRaw); !ok {
			continue
		}
		p := newPlot(wl.title, "concurrent sessions", "operations/s")
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = sessionTicks(rep.Sessions)
		p.Y.Min = 0
		for _, sys := range systemOrder {
			if err := line(p, sys, sys, series(rep, wl.name, sys, func(r result) float64 { return r.OpsPerSec }), false); err != nil {
				return nil, err
			}
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return grid(ps), nil
}

func latencyPlots(rep report) ([][]*plot.Plot, error) {
	var ps []*plot.Plot
	for _, wl := range workloads {
		if _, ok := find(rep.Results, wl.name, rep.Sessions[0], sysRaw); !ok {
			continue
		}
		p := newPlot(wl.title+": p50 —, p99 - -", "concurrent sessions", "latency, µs")
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = sessionTicks(rep.Sessions)
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		for _, sys := range []string{sysRaw, sysSession, sysSessionAP} {
			if err := line(p, sys+" p50", sys, series(rep, wl.name, sys, func(r result) float64 { return max(r.P50, 1) }), false); err != nil {
				return nil, err
			}
			if err := line(p, sys+" p99", sys, series(rep, wl.name, sys, func(r result) float64 { return max(r.P99, 1) }), true); err != nil {
				return nil, err
			}
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return grid(ps), nil
}

func sweepPlots(rep report) ([][]*plot.Plot, error) {
	if len(rep.Sweep) == 0 {
		return nil, nil
	}
	tp := newPlot("GetItems(limit=10), 1 session", "items in the session", "operations/s")
	lat := newPlot("GetItems(limit=10): p50 —, p99 - -", "items in the session", "latency, µs")
	for _, p := range []*plot.Plot{tp, lat} {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	tp.Y.Min = 0
	lat.Y.Min = 0
	for _, sys := range []string{sysRaw, sysSession} {
		var ops, p50, p99 plotter.XYs
		for _, r := range rep.Sweep {
			if r.System == sys {
				x := float64(r.Length)
				ops = append(ops, plotter.XY{X: x, Y: r.OpsPerSec})
				p50 = append(p50, plotter.XY{X: x, Y: r.P50})
				p99 = append(p99, plotter.XY{X: x, Y: r.P99})
			}
		}
		if err := line(tp, sys, sys, ops, false); err != nil {
			return nil, err
		}
		if err := line(lat, sys+" p50", sys, p50, false); err != nil {
			return nil, err
		}
		if err := line(lat, sys+" p99", sys, p99, true); err != nil {
			return nil, err
		}
	}
	return [][]*plot.Plot{{tp, lat}}, nil
}
