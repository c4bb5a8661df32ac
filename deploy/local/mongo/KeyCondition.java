// What a query fixes about one field, for FirstKeyIndex: a set of values (a plain value, $eq, $in)
// or a range ($gt, $gte, $lt, $lte). Found at the query's top level or in a top-level $and. Every
// other part of the query is left to mongo-java-server's matcher, which re-applies the whole filter
// to the documents the index returns: so the condition only has to contain every matching value,
// and whatever it can't express exactly (a mix of operators, bounds of other types) just makes it
// wider.

import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * @param values the values a document's key must have ($in, $eq, plain); null for a range
 * @param low    a range's lower end, and whether it belongs to the range (also for high)
 */
record KeyCondition(List<IndexedValue> values, IndexedValue low, boolean lowInclusive,
                    IndexedValue high, boolean highInclusive) {

    /** Returns what the query fixes about the field, or null when it fixes nothing usable. */
    static KeyCondition find(Document query, String field) {
        if (query.containsKey(field)) {
            KeyCondition condition = of(query.get(field));
            if (condition != null) {
                return condition;
            }
        }
        // Every clause of a top-level $and must hold, so any one of them can narrow the query.
        if (query.get("$and") instanceof List<?> clauses) {
            for (Object clause : clauses) {
                if (clause instanceof Document document) {
                    KeyCondition condition = find(document, field);
                    if (condition != null) {
                        return condition;
                    }
                }
            }
        }
        return null;
    }

    private static KeyCondition of(Object condition) {
        if (!(condition instanceof Document operators)) {
            IndexedValue value = IndexedValue.of(condition); // null for a regex, an array, ...
            return value == null ? null : equalTo(List.of(value));
        }
        // A document without operators is an equality on a whole subdocument: not served.
        if (operators.isEmpty() || !operators.keySet().stream().allMatch(k -> k.startsWith("$"))) {
            return null;
        }
        // The operators all must hold: use the narrowest one we understand, ignore the rest.
        List<IndexedValue> in = null;
        int band = -1; // of the first usable bound: the matcher compares only values of one type
        IndexedValue low = null;
        IndexedValue high = null;
        boolean lowInclusive = false;
        boolean highInclusive = false;
        for (Map.Entry<String, Object> operator : operators.entrySet()) {
            String name = operator.getKey();
            Object argument = operator.getValue();
            switch (name) {
                case "$eq" -> {
                    IndexedValue value = IndexedValue.of(argument);
                    if (value != null) {
                        return equalTo(List.of(value));
                    }
                }
                case "$in" -> in = in != null ? in : valuesOf(argument);
                case "$gt", "$gte", "$lt", "$lte" -> {
                    IndexedValue bound = IndexedValue.of(argument);
                    boolean lower = name.startsWith("$g");
                    // The matcher's $gt: null matches nothing, and a bound of another type than
                    // the first bound leaves nothing to match: ignoring either only widens.
                    if (bound == null || bound.isNull() || (band >= 0 && band != bound.band())) {
                        continue;
                    }
                    band = bound.band();
                    // A bound that had to be widened (see IndexedValue) includes itself.
                    boolean inclusive = name.endsWith("e") || !bound.isExactBound();
                    if (lower && low == null) {
                        low = bound.asLowerBound();
                        lowInclusive = inclusive || low == null;
                        low = low != null ? low : IndexedValue.lowestOf(bound.band());
                    } else if (!lower && high == null) {
                        high = bound.asUpperBound();
                        highInclusive = inclusive && high != null;
                        high = high != null ? high : IndexedValue.lowestOf(bound.band() + 1);
                    }
                }
                default -> {
                    // $ne, $nin, $exists, $not, $regex, ...: left to the matcher
                }
            }
        }
        if (in != null) {
            return equalTo(in);
        }
        if (band < 0) {
            return null;
        }
        // The matcher compares only values of the bound's type: the range stays in its band.
        if (low == null) {
            low = IndexedValue.lowestOf(band);
            lowInclusive = true;
        }
        if (high == null) {
            high = IndexedValue.lowestOf(band + 1);
            highInclusive = false;
        }
        return new KeyCondition(null, low, lowInclusive, high, highInclusive);
    }

    private static KeyCondition equalTo(List<IndexedValue> values) {
        return new KeyCondition(values, null, false, null, false);
    }

    private static List<IndexedValue> valuesOf(Object list) {
        if (!(list instanceof List<?> items)) {
            return null;
        }
        List<IndexedValue> values = new ArrayList<>();
        for (Object item : items) {
            IndexedValue value = IndexedValue.of(item);
            if (value == null) {
                return null; // a regex or an array in $in: not served
            }
            values.add(value);
        }
        return values;
    }
}
