// The words the scripts show, in the page's language: read once from the JSON island
// base.html renders (<script type="application/json" id="words">, app/web/js_words.py).
// - words.t(key, params): the words, with named placeholders filled: "%(time)s".
// - words.n(key, count, params): a plural message; the form is the one for count's plural
//   category in the page's language (Intl.PluralRules), the count written as the language
//   writes numbers, as %(num)s.
// - words.list(names): "A, B and C" as the language says it (Intl.ListFormat).
// A key the page lacks shows as itself, so a missing word is seen, never a blank.
(function () {
  "use strict";

  var data = null;
  var load = function () {
    if (data) { return data; }
    var island = document.getElementById("words");
    try {
      data = island ? JSON.parse(island.textContent) : {};
    } catch (error) {
      data = {};
    }
    data.words = data.words || {};
    data.plurals = data.plurals || {};
    data.lang = data.lang || document.documentElement.lang || "en";
    return data;
  };

  var fill = function (text, params) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  };

  var t = function (key, params) {
    var text = load().words[key];
    return fill(typeof text === "string" ? text : key, params);
  };

  var number = function (count) {
    try {
      return new Intl.NumberFormat(load().lang).format(count);
    } catch (error) {
      return String(count);
    }
  };

  var n = function (key, count, params) {
    var forms = load().plurals[key];
    if (!forms) { return key; }
    var category = "other";
    try {
      category = new Intl.PluralRules(load().lang).select(count);
    } catch (error) { /* an old browser: the "other" form */ }
    var text = forms[category] || forms.other || forms.many || forms[Object.keys(forms)[0]];
    var all = {num: number(count)};
    Object.keys(params || {}).forEach(function (name) { all[name] = params[name]; });
    return fill(text, all);
  };

  var list = function (names) {
    try {
      return new Intl.ListFormat(load().lang, {type: "conjunction"}).format(names);
    } catch (error) {
      return names.join(", ");
    }
  };

  window.words = {t: t, n: n, list: list, number: number};
})();
