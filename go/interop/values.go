package main

// Go values as typed JSON trees, {"type": <Go type>, "value": ...}, so the
// tests can check that an int stays an int and an int64 stays an int64.
// Integers travel as decimal strings (JSON numbers would lose 64-bit
// precision); floats as numbers, or "NaN", "+Inf", "-Inf".

import (
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

func init() {
	// Nested maps need registering in Go; sessions' init registers []interface{}.
	gob.Register(map[interface{}]interface{}{})
}

type typedValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type typedEntry struct {
	Key   typedValue `json:"key"`
	Value typedValue `json:"value"`
}

func raw(v interface{}) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func floatText(f float64) json.RawMessage {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return raw(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return raw(f)
}

func toTyped(v interface{}) typedValue {
	switch x := v.(type) {
	case nil:
		return typedValue{"nil", raw(nil)}
	case string:
		return typedValue{"string", raw(x)}
	case bool:
		return typedValue{"bool", raw(x)}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr:
		return typedValue{fmt.Sprintf("%T", v), raw(fmt.Sprint(x))}
	case float32:
		return typedValue{"float32", floatText(float64(x))}
	case float64:
		return typedValue{"float64", floatText(x)}
	case []byte:
		return typedValue{"[]byte", raw(hex.EncodeToString(x))}
	case []interface{}:
		items := make([]typedValue, len(x))
		for i, e := range x {
			items[i] = toTyped(e)
		}
		return typedValue{"[]interface {}", raw(items)}
	case map[interface{}]interface{}:
		entries := []typedEntry{}
		for k, e := range x {
			entries = append(entries, typedEntry{toTyped(k), toTyped(e)})
		}
		// Go's map order is random; a stable order makes answers comparable.
		sort.Slice(entries, func(i, j int) bool {
			return string(raw(entries[i].Key)) < string(raw(entries[j].Key))
		})
		return typedValue{"map[interface {}]interface {}", raw(entries)}
	}
	return typedValue{fmt.Sprintf("%T", v), raw(fmt.Sprintf("%v", v))}
}

func fromTyped(tv typedValue) (interface{}, error) {
	var text string
	switch tv.Type {
	case "nil":
		return nil, nil
	case "string":
		err := json.Unmarshal(tv.Value, &text)
		return text, err
	case "bool":
		var b bool
		err := json.Unmarshal(tv.Value, &b)
		return b, err
	case "float32", "float64":
		var f float64
		if err := json.Unmarshal(tv.Value, &f); err != nil {
			if err := json.Unmarshal(tv.Value, &text); err != nil {
				return nil, err
			}
			if f, err = strconv.ParseFloat(text, 64); err != nil {
				return nil, err
			}
		}
		if tv.Type == "float32" {
			return float32(f), nil
		}
		return f, nil
	case "[]byte":
		if err := json.Unmarshal(tv.Value, &text); err != nil {
			return nil, err
		}
		return hex.DecodeString(text)
	case "[]interface {}":
		var items []typedValue
		if err := json.Unmarshal(tv.Value, &items); err != nil {
			return nil, err
		}
		out := make([]interface{}, len(items))
		for i, item := range items {
			v, err := fromTyped(item)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case "map[interface {}]interface {}":
		var entries []typedEntry
		if err := json.Unmarshal(tv.Value, &entries); err != nil {
			return nil, err
		}
		out := map[interface{}]interface{}{}
		for _, e := range entries {
			k, err := fromTyped(e.Key)
			if err != nil {
				return nil, err
			}
			v, err := fromTyped(e.Value)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	if err := json.Unmarshal(tv.Value, &text); err != nil {
		return nil, err
	}
	return parseInt(tv.Type, text)
}

func parseInt(goType, text string) (interface{}, error) {
	bits := map[string]int{"int": 64, "int8": 8, "int16": 16, "int32": 32, "int64": 64,
		"uint": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64, "uintptr": 64}[goType]
	if bits == 0 {
		return nil, fmt.Errorf("unsupported type %q", goType)
	}
	if goType[0] == 'u' {
		n, err := strconv.ParseUint(text, 10, bits)
		switch goType {
		case "uint":
			return uint(n), err
		case "uint8":
			return uint8(n), err
		case "uint16":
			return uint16(n), err
		case "uint32":
			return uint32(n), err
		case "uintptr":
			return uintptr(n), err
		}
		return n, err
	}
	n, err := strconv.ParseInt(text, 10, bits)
	switch goType {
	case "int":
		return int(n), err
	case "int8":
		return int8(n), err
	case "int16":
		return int16(n), err
	case "int32":
		return int32(n), err
	}
	return n, err
}
